/**
 * Where a lab network's nodes "are": an enrichment overlay (docs/enrichment.md's
 * CSV) that spreads them over a dozen made-up networks in cities around the
 * world, so a crawl of the lab has ASNs, countries and coordinates to show on
 * a map. The ASNs are from the private-use range; nothing here is real.
 */
import type { OverlayEntry } from '../enrich/index.ts';

const PLACES: readonly { country: string; city: string; latitude: number; longitude: number }[] = [
  { country: 'DE', city: 'Frankfurt', latitude: 50.11, longitude: 8.68 },
  { country: 'US', city: 'Ashburn', latitude: 39.04, longitude: -77.49 },
  { country: 'BR', city: 'São Paulo', latitude: -23.55, longitude: -46.63 },
  { country: 'JP', city: 'Tokyo', latitude: 35.68, longitude: 139.69 },
  { country: 'IN', city: 'Mumbai', latitude: 19.08, longitude: 72.88 },
  { country: 'ZA', city: 'Johannesburg', latitude: -26.2, longitude: 28.05 },
  { country: 'AU', city: 'Sydney', latitude: -33.87, longitude: 151.21 },
  { country: 'RU', city: 'Moscow', latitude: 55.76, longitude: 37.62 },
  { country: 'CA', city: 'Toronto', latitude: 43.65, longitude: -79.38 },
  { country: 'FR', city: 'Paris', latitude: 48.86, longitude: 2.35 },
  { country: 'SG', city: 'Singapore', latitude: 1.35, longitude: 103.82 },
  { country: 'NL', city: 'Amsterdam', latitude: 52.37, longitude: 4.9 },
];

/** First private-use ASN the lab network's made-up networks take. */
const FIRST_ASN = 64_600;

/** One overlay entry per node address, node i in network i mod 12. */
export function labNetworkOverlay(addresses: readonly string[]): OverlayEntry[] {
  return addresses.map((address, i) => {
    const n = i % PLACES.length;
    const place = PLACES[n]!;
    // A little spread inside the city, so nodes do not sit on one pixel.
    const jitter = ((i * 7919) % 100) / 100 - 0.5;
    return {
      cidr: address.includes(':') ? `${address}/128` : `${address}/32`,
      asn: FIRST_ASN + n,
      org: `Lab network ${n + 1}`,
      country: place.country,
      city: place.city,
      latitude: Math.round((place.latitude + jitter * 0.6) * 1e4) / 1e4,
      longitude: Math.round((place.longitude - jitter * 0.8) * 1e4) / 1e4,
      label: 'lab-dht-node',
    };
  });
}
