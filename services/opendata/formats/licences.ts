/**
 * The licences Lanterne publishes under, as Data Package `licenses` entries
 * (https://specs.frictionlessdata.io/data-package/#licenses): `name` is the id the contracts
 * use, `path` the licence's canonical text.
 */

export type LicenceDescriptor = { name: string; path: string; title: string };

export const LICENCES: Readonly<Record<string, LicenceDescriptor>> = {
  "etalab-2.0": {
    name: "etalab-2.0",
    path: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    title: "Licence Ouverte / Open Licence 2.0",
  },
  "odbl-1.0": {
    name: "odbl-1.0",
    path: "https://opendatacommons.org/licenses/odbl/1-0/",
    title: "Open Data Commons Open Database License (ODbL) 1.0",
  },
};

/** Throws on an unknown id: publishing under a licence we cannot name would be a legal error. */
export function licenceDescriptor(id: string): LicenceDescriptor {
  const licence = Object.hasOwn(LICENCES, id) ? LICENCES[id] : undefined;
  if (licence === undefined) throw new RangeError(`unknown licence ${JSON.stringify(id)}`);
  return { ...licence };
}
