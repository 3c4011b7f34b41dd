import { getPosition, getTimes } from "suncalc";
import type { EpochMs } from "../../domain/types.ts";

/**
 * The sun at a light point, from `suncalc` (Meeus' "Astronomical Algorithms", chapters 15 and 25).
 * Elevations are apparent, refraction included, as suncalc reports them; sunrise and sunset are the
 * usual ones, when the sun's upper limb touches the horizon (centre at -0.833° before refraction).
 */

/**
 * Apparent elevation of the sun's centre at sunrise and sunset: the geometric -0.833° lifted by
 * suncalc's refraction model. The unit tests check it against `sunTimes`, so the two cannot drift.
 */
export const HORIZON_DEG = -0.35;

/** Elevation of the sun's centre above the horizon, degrees, refraction included. */
export function solarElevationDeg(t: EpochMs, lat: number, lon: number): number {
  return getPosition(new Date(t), lat, lon).altitude;
}

/** Sunrise and sunset (UTC ms) of the solar day of `day`, or undefined in polar day or night. */
export function sunTimes(
  day: EpochMs,
  lat: number,
  lon: number,
): { sunrise: EpochMs; sunset: EpochMs } | undefined {
  const { sunrise, sunset } = getTimes(new Date(day), lat, lon);
  if (sunrise === null || sunset === null) return undefined;
  return { sunrise: sunrise.getTime(), sunset: sunset.getTime() };
}
