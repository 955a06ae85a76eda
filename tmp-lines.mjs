import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const want = process.argv[3];
const lines = new Map(); let total = 0;
for (const n of p.nodes) { for (const t of n.positionTicks ?? []) { total += t.ticks; if (n.callFrame.url.includes(want)) { const k = `${n.callFrame.functionName} ${t.line}`; lines.set(k, (lines.get(k) ?? 0) + t.ticks); } } }
console.log('total ticks', total);
for (const [k, v] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(v).padStart(6), (100*v/total).toFixed(1).padStart(5), k);
