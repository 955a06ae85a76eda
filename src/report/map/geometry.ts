/**
 * The world under the dots: Natural Earth's 1:110m countries (the npm
 * package `world-atlas`, TopoJSON, decoded with `topojson-client`) projected
 * here with the Natural Earth projection onto an SVG canvas, so the page
 * needs no tile server and no network. Coordinates are rounded to a tenth of
 * a pixel, which keeps the whole world near 100 kB of path data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/** Width of the SVG canvas in its own units; the height follows from the projection. */
export const MAP_WIDTH = 960;

/**
 * The Natural Earth projection (Šavrič, Jenny, Patterson, Petrovič and
 * Hurni, 2011), in its polynomial form, for longitude and latitude in radians.
 */
function naturalEarth(lambda: number, phi: number): [number, number] {
  const phi2 = phi * phi;
  const phi4 = phi2 * phi2;
  const x =
    lambda *
    (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)));
  const y =
    phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)));
  return [x, y];
}

const [X_EXTENT] = naturalEarth(Math.PI, 0);
const [, Y_EXTENT] = naturalEarth(0, Math.PI / 2);
const SCALE = MAP_WIDTH / 2 / X_EXTENT;
export const MAP_HEIGHT = Math.round(2 * Y_EXTENT * SCALE);

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Canvas position of a longitude/latitude in degrees, rounded to 0.1. */
export function project(longitude: number, latitude: number): [number, number] {
  const lon = Math.max(-180, Math.min(180, longitude));
  const lat = Math.max(-90, Math.min(90, latitude));
  const [x, y] = naturalEarth((lon * Math.PI) / 180, (lat * Math.PI) / 180);
  return [round1(MAP_WIDTH / 2 + x * SCALE), round1(MAP_HEIGHT / 2 - y * SCALE)];
}

export interface WorldShapes {
  width: number;
  height: number;
  /** SVG path data of every country. */
  countries: string;
  /** SVG path data of the globe's outline (the edge of the projection). */
  outline: string;
}

let cached: WorldShapes | undefined;

/** The projected world, built once per process. */
export function worldShapes(): WorldShapes {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(
    readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'),
  ) as Topology<{ countries: GeometryCollection }>;
  const countries = feature(topology, topology.objects.countries);
  const parts: string[] = [];
  for (const country of countries.features) {
    const geometry = country.geometry as Polygon | MultiPolygon | null;
    if (geometry === null) continue;
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const polygon of polygons) for (const ring of polygon) parts.push(ringPath(ring));
  }
  const edge: Position[] = [];
  for (let lat = -90; lat <= 90; lat += 5) edge.push([180, lat]);
  for (let lat = 90; lat >= -90; lat -= 5) edge.push([-180, lat]);
  cached = {
    width: MAP_WIDTH,
    height: MAP_HEIGHT,
    countries: parts.join(''),
    outline: ringPath(edge, false),
  };
  return cached;
}

/**
 * A closed ring as path data, without points that round onto the previous
 * one. Natural Earth's rings that cross the antimeridian (Russia's far east,
 * Fiji, Antarctica's edge) would draw a line across the whole map: the ring
 * is broken there into open pieces, which still fill, with no stroke across.
 */
function ringPath(ring: readonly Position[], splitAtAntimeridian = true): string {
  let d = '';
  let last = '';
  let previousLongitude: number | undefined;
  let broken = false;
  for (const position of ring) {
    const [longitude, latitude] = [position[0]!, position[1]!];
    const jump =
      splitAtAntimeridian &&
      previousLongitude !== undefined &&
      Math.abs(longitude - previousLongitude) > 180;
    previousLongitude = longitude;
    if (jump) broken = true;
    const [x, y] = project(longitude, latitude);
    const point = `${x} ${y}`;
    if (point === last && !jump) continue;
    d += `${d === '' || jump ? 'M' : 'L'}${point}`;
    last = point;
  }
  return d === '' || broken ? d : `${d}Z`;
}
