import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Commune facts from Etalab's official list (`@etalab/decoupage-administratif`, data files
 * only), so that any collectivity sets up its territory from its EPCI SIREN or its commune
 * codes instead of a hand-typed table. Only current communes ("commune-actuelle") are kept:
 * the list also holds former, delegated and associated communes and municipal arrondissements.
 * The package's own index.js reads its files relative to the working directory, so the data
 * files are read directly. They are read once, on first use (about 12 MB of JSON).
 */
export interface CommuneFacts {
  /** INSEE code. */
  code: string;
  name: string;
  /** Municipal population as the package lists it; 0 for the few uninhabited territories without one. */
  population: number;
  /** SIREN of the EPCI the commune belongs to, if any. */
  epci?: string;
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  population?: number;
}

interface RawEpci {
  code: string;
  nom: string;
  membres: { code: string }[];
}

/** An EPCI (intercommunality) as Etalab's list names it. */
export interface EpciFacts {
  /** SIREN. */
  code: string;
  /** Its official short name, e.g. "CC du Pays Haut Val d'Alzette". */
  name: string;
}

interface Index {
  communes: Map<string, CommuneFacts>;
  members: Map<string, string[]>;
  epcis: Map<string, EpciFacts>;
}

let index: Index | undefined;

export function communeByCode(code: string): CommuneFacts | undefined {
  return loadIndex().communes.get(code);
}

/** An EPCI by SIREN; undefined for an unknown one. */
export function epciByCode(siren: string): EpciFacts | undefined {
  return loadIndex().epcis.get(siren);
}

/** The current communes of an EPCI, by INSEE code; empty for an unknown SIREN. */
export function communesOfEpci(siren: string): CommuneFacts[] {
  const { communes, members } = loadIndex();
  const codes = members.get(siren) ?? [];
  return codes.flatMap((code) => communes.get(code) ?? []).sort((a, b) => a.code.localeCompare(b.code));
}

function loadIndex(): Index {
  index ??= buildIndex(readData<RawCommune[]>("communes.json"), readData<RawEpci[]>("epci.json"));
  return index;
}

function buildIndex(rawCommunes: RawCommune[], rawEpcis: RawEpci[]): Index {
  const epciOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  const epcis = new Map<string, EpciFacts>();
  for (const epci of rawEpcis) {
    epcis.set(epci.code, { code: epci.code, name: epci.nom });
    members.set(
      epci.code,
      epci.membres.map((m) => m.code),
    );
    for (const m of epci.membres) epciOf.set(m.code, epci.code);
  }
  const communes = new Map<string, CommuneFacts>();
  for (const c of rawCommunes) {
    if (c.type === "commune-actuelle") communes.set(c.code, toFacts(c, epciOf.get(c.code)));
  }
  return { communes, members, epcis };
}

function toFacts(c: RawCommune, epci: string | undefined): CommuneFacts {
  const facts: CommuneFacts = { code: c.code, name: c.nom, population: c.population ?? 0 };
  if (epci !== undefined) facts.epci = epci;
  return facts;
}

function readData<T>(file: string): T {
  const path = createRequire(import.meta.url).resolve(`@etalab/decoupage-administratif/data/${file}`);
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
