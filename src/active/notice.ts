/**
 * The active tools break the passive sensor's contract: they send queries of
 * their own (get_peers, find_node, sample_infohashes) to nodes that did not
 * ask for them. They say so, every time, on standard error.
 */
export function activeNotice(tool: string, sends: string): string {
  return `dhtscope ${tool} is an active tool: it sends ${sends} queries to DHT nodes (not passive; remote nodes see and may log it)`;
}
