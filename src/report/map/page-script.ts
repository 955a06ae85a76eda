/**
 * The script of the map page, as text. It runs in the viewer's browser with
 * no network (a live map only asks its own server for `data.json`). The fade
 * arithmetic is not written twice: decay.ts's functions are embedded from
 * their source text, so the page and the tests use the same code.
 *
 * Every string from the store (addresses, organisations, client names, which
 * remote nodes choose) reaches the page through textContent, never as HTML.
 */
import { lastSightingAt, opacityAt } from './decay.ts';

export function pageScript(): string {
  return `(() => {
'use strict';
${lastSightingAt.toString()}
${opacityAt.toString()}
const config = JSON.parse(document.getElementById('map-config').textContent);
let data = JSON.parse(document.getElementById('map-data').textContent);
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const layer = $('nodes'), slider = $('slider'), mode = $('mode'), play = $('play');
const when = $('when'), shown = $('shown'), tip = $('tip'), status = $('status');
let steps = [0];
let player;

const stamp = (offset) => new Date(data.t0 + offset).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
const ago = (ms) => ms < 60e3 ? Math.round(ms / 1e3) + ' s' : ms < 3600e3 ? Math.round(ms / 60e3) + ' min' : (ms / 3600e3).toFixed(1) + ' h';

function buildSteps() {
  const bySnapshot = mode.value === 'snapshot' && data.snapshots.length > 0;
  if (bySnapshot) steps = data.snapshots.map((s) => s[1]);
  else {
    const n = data.end > 0 ? config.timeSteps : 1;
    steps = Array.from({ length: n }, (_, i) => n === 1 ? data.end : Math.round((data.end * i) / (n - 1)));
  }
  const atEnd = Number(slider.value) === Number(slider.max);
  slider.max = String(steps.length - 1);
  if (atEnd || Number(slider.value) > steps.length - 1) slider.value = slider.max;
}

function render() {
  const i = Number(slider.value);
  const t = steps[i];
  const fragment = document.createDocumentFragment();
  let count = 0;
  data.nodes.forEach((node, index) => {
    const seen = lastSightingAt(node[9], t);
    const opacity = opacityAt(t - seen, config.halfLifeMs, config.cutoffMs, config.minOpacity);
    if (opacity <= 0) return;
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', node[0]);
    dot.setAttribute('cy', node[1]);
    dot.setAttribute('r', '2.6');
    dot.setAttribute('fill', data.asns[node[4]][2]);
    dot.setAttribute('fill-opacity', opacity.toFixed(3));
    dot.dataset.node = String(index);
    dot.dataset.seen = String(seen);
    fragment.appendChild(dot);
    count++;
  });
  layer.replaceChildren(fragment);
  layer.dataset.count = String(count);
  shown.textContent = count + (count === 1 ? ' address' : ' addresses') + ' within ' + config.cutoffLabel;
  const bySnapshot = mode.value === 'snapshot' && data.snapshots.length > 0;
  when.textContent = (bySnapshot ? 'snapshot ' + (i + 1) + ' of ' + steps.length + ' · ' : '') + stamp(t);
}

function legend() {
  const list = $('legend');
  list.replaceChildren();
  for (const [asn, org, color, n] of data.asns.slice(0, config.legendSize)) {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color;
    item.append(swatch, (asn === null ? 'unknown ASN' : 'AS' + asn) + (org ? ' ' + org : '') + ' · ' + n);
    list.append(item);
  }
  const rest = data.asns.slice(config.legendSize).reduce((sum, a) => sum + a[3], 0);
  if (rest > 0) {
    const item = document.createElement('li');
    item.textContent = (data.asns.length - config.legendSize) + ' more ASNs · ' + rest;
    list.append(item);
  }
  const notes = [data.nodes.length + ' addresses placed'];
  if (data.unplaced > 0) notes.push(data.unplaced + ' without coordinates not drawn');
  if (data.dropped > 0) notes.push(data.dropped + ' seen earlier left out');
  $('totals').textContent = notes.join(' · ');
}

function showTip(event) {
  const dot = event.target.closest && event.target.closest('circle[data-node]');
  if (!dot) { tip.hidden = true; return; }
  const node = data.nodes[Number(dot.dataset.node)];
  const [asn, org] = data.asns[node[4]];
  const seen = Number(dot.dataset.seen);
  const origin = [node[7] & 1 ? 'crawled' : '', node[7] & 2 ? 'observed (' + node[8] + ' messages)' : ''].filter(Boolean).join(', ');
  const lines = [
    node[2] + ' port ' + node[3],
    (asn === null ? 'unknown ASN' : 'AS' + asn) + (org ? ' · ' + org : ''),
    'country: ' + (node[5] || 'unknown'),
    'client: ' + (node[6] || 'unknown'),
    'last seen: ' + stamp(seen) + ' (' + ago(steps[Number(slider.value)] - seen) + ' before)',
    origin,
  ];
  tip.replaceChildren(...lines.map((line) => { const div = document.createElement('div'); div.textContent = line; return div; }));
  tip.hidden = false;
  tip.style.left = event.clientX + 14 + 'px';
  tip.style.top = event.clientY + 14 + 'px';
}

layer.addEventListener('mousemove', showTip);
layer.addEventListener('mouseleave', () => { tip.hidden = true; });
slider.addEventListener('input', render);
mode.addEventListener('change', () => { slider.value = '0'; buildSteps(); slider.value = slider.max; render(); });
play.addEventListener('click', () => {
  if (player) { clearInterval(player); player = undefined; play.textContent = '▶ play'; return; }
  if (slider.value === slider.max) slider.value = '0';
  play.textContent = '❚❚ pause';
  player = setInterval(() => {
    if (Number(slider.value) >= Number(slider.max)) { play.click(); return; }
    slider.value = String(Number(slider.value) + 1);
    render();
  }, config.playMs);
});
if (data.snapshots.length === 0) mode.querySelector('option[value=snapshot]').disabled = true;
if (data.snapshots.length === 0) mode.value = 'time';
slider.value = '0';
slider.max = '0';
buildSteps();
slider.value = slider.max;
legend();
render();

if (config.live) {
  const refresh = async () => {
    try {
      const response = await fetch('data.json', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      data = await response.json();
      if (data.snapshots.length > 0) mode.querySelector('option[value=snapshot]').disabled = false;
      buildSteps();
      legend();
      render();
      status.textContent = 'live · updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      status.textContent = 'live · update failed (' + error.message + '), retrying';
    }
  };
  status.textContent = 'live · every ' + config.refreshMs / 1000 + ' s';
  setInterval(refresh, config.refreshMs);
}
})();`;
}
