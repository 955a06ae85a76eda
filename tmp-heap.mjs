import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agg = new Map(); let total = 0;
const walk = (n, stack) => { const st=[...stack, n]; let self = 0; for (const s of n.selfSize ? [n.selfSize] : []) self += s;
  if (self) { const fr = st.slice(-4).reverse().map(x => `${x.callFrame.functionName||'(anon)'}:${x.callFrame.url.split('/').pop()}:${x.callFrame.lineNumber}`).join(' < '); agg.set(fr, (agg.get(fr)??0)+self); total += self; }
  for (const c of n.children) walk(c, st); };
walk(p.head, []);
console.log('total MB', (total/1e6).toFixed(1));
for (const [k, v] of [...agg].sort((a,b)=>b[1]-a[1]).slice(0, 25)) console.log((v/1e6).toFixed(1).padStart(7), k);
