/** Small pieces of the crawler's walk. */

/** A FIFO of endpoint keys whose shift is O(1) however long it grows. */
export class Queue {
  #items: string[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(key: string): void {
    this.#items.push(key);
  }

  shift(): string {
    const key = this.#items[this.#head++]!;
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return key;
  }
}

/** An id next to `id` (its last bit flipped): find_node for it returns the node's closest contacts. */
export function nearId(id: Uint8Array): Uint8Array {
  const target = new Uint8Array(id);
  target[19] = target[19]! ^ 1;
  return target;
}
