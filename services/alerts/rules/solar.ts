import type { EpochMs } from "../../domain/types.ts";

/**
 * Sun position from the NOAA Solar Calculator's equations (NOAA Global Monitoring Laboratory,
 * "General Solar Position Calculations", https://gml.noaa.gov/grad/solcalc/solareqns.PDF), accurate to
 * about a minute for sunrise and sunset between ±60° latitude. Kept small and pure on purpose:
 * `suncalc` (npm) should replace it once the project adds the dependency.
 */

const DEG = Math.PI / 180;
const DAY_MS = 86_400_000;

interface SunAngles {
  /** Declination of the sun, radians. */
  decl: number;
  /** Equation of time, minutes. */
  eqTime: number;
}

function angles(t: EpochMs): SunAngles {
  const start = Date.UTC(new Date(t).getUTCFullYear(), 0, 1);
  const days = (t - start) / DAY_MS;
  const g = ((2 * Math.PI) / 365) * days; // fractional year, radians (the PDF's γ, from day-of-year and hour)
  const eqTime =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(g) -
      0.032077 * Math.sin(g) -
      0.014615 * Math.cos(2 * g) -
      0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  return { decl, eqTime };
}

/** Elevation of the sun's centre above the horizon, degrees (no refraction). */
export function solarElevationDeg(t: EpochMs, lat: number, lon: number): number {
  const { decl, eqTime } = angles(t);
  const d = new Date(t);
  const minutes = d.getUTCHours() * 60 + d.getUTCMinutes() + d.getUTCSeconds() / 60;
  const trueSolarTime = minutes + eqTime + 4 * lon;
  const ha = (trueSolarTime / 4 - 180) * DEG;
  const phi = lat * DEG;
  const cosZenith = Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.cos(ha);
  return 90 - Math.acos(Math.max(-1, Math.min(1, cosZenith))) / DEG;
}

/** The PDF's sunrise/sunset zenith: 90.833°, for refraction and the sun's radius. */
export const HORIZON_DEG = -0.833;

/**
 * Sunrise and sunset (UTC ms) of the UTC day containing `day`, or undefined in polar day/night.
 */
export function sunTimes(
  day: EpochMs,
  lat: number,
  lon: number,
): { sunrise: EpochMs; sunset: EpochMs } | undefined {
  const d = new Date(day);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const { decl, eqTime } = angles(midnight + DAY_MS / 2);
  const phi = lat * DEG;
  const cosHa =
    Math.cos((90 - HORIZON_DEG) * DEG) / (Math.cos(phi) * Math.cos(decl)) - Math.tan(phi) * Math.tan(decl);
  if (cosHa < -1 || cosHa > 1) return undefined;
  const ha = Math.acos(cosHa) / DEG;
  const minute = 60_000;
  const sunrise = midnight + (720 - 4 * (lon + ha) - eqTime) * minute;
  const sunset = midnight + (720 - 4 * (lon - ha) - eqTime) * minute;
  return { sunrise, sunset };
}
