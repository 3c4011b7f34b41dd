import type { Table } from "./common.ts";

/** The water network page's words (`/eau`, `/water`). */
export const water: Table<
  | "title"
  | "intro"
  | "formTitle"
  | "from"
  | "to"
  | "show"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "invalidPeriod"
  | "pressureTitle"
  | "pressureCaption"
  | "colSector"
  | "colCommunes"
  | "colSensors"
  | "colMean"
  | "colMin"
  | "colMax"
  | "flowTitle"
  | "flowIntro"
  | "meterTitle"
  | "chartLabel"
  | "nightsCaption"
  | "colNight"
  | "colMinFlow"
  | "trendRising"
  | "trendSteady"
  | "trendUnknown"
  | "noMeters"
  | "noNights"
  | "noSectors"
  | "none"
> = {
  fr: {
    title: "Eau : secteurs du réseau",
    intro:
      "La pression par secteur et, pour chaque débitmètre, le débit minimum de chaque nuit : un minimum de nuit qui monte semaine après semaine signale souvent une fuite.",
    formTitle: "Période",
    from: "Du",
    to: "Au (inclus)",
    show: "Afficher",
    loading: "Chargement…",
    loaded: "{count} secteur(s) sur {days} jour(s).",
    loadFailed: "Les données n'ont pas pu être chargées. Réessayez plus tard.",
    forbidden: "Cette page est réservée aux agents de la collectivité.",
    invalidPeriod: "La période n'est pas valide : le premier jour doit précéder ou égaler le dernier.",
    pressureTitle: "Pression par secteur",
    pressureCaption: "Pression (bar) par secteur sur la période",
    colSector: "Secteur",
    colCommunes: "Communes",
    colSensors: "Capteurs (qui ont mesuré)",
    colMean: "Moyenne (bar)",
    colMin: "Minimum (bar)",
    colMax: "Maximum (bar)",
    flowTitle: "Débit minimum de nuit",
    flowIntro: "Le plus faible débit de chaque nuit, entre {start} h et {end} h ({zone}).",
    meterTitle: "Débitmètre {device} — secteur {sector}, commune {commune}",
    chartLabel: "Débit minimum de nuit de {device}, en m³/h, nuit après nuit",
    nightsCaption: "Débit minimum de chaque nuit de {device}",
    colNight: "Nuit du",
    colMinFlow: "Débit minimum (m³/h)",
    trendRising: "Tendance en hausse : +{trend} m³/h par jour. Fuite possible, à vérifier.",
    trendSteady: "Tendance : {trend} m³/h par jour.",
    trendUnknown: "Tendance : pas assez de nuits mesurées.",
    noMeters: "Aucun débitmètre dans ce secteur.",
    noNights: "Aucune nuit mesurée sur cette période.",
    noSectors: "Aucun secteur n'a de mesures sur cette période.",
    none: "(sans secteur)",
  },
  en: {
    title: "Water: network sectors",
    intro:
      "The pressure per sector and, for each flow meter, the least flow of each night: a night minimum rising week after week often means a leak.",
    formTitle: "Period",
    from: "From",
    to: "To (included)",
    show: "Show",
    loading: "Loading…",
    loaded: "{count} sector(s) over {days} day(s).",
    loadFailed: "The data could not be loaded. Try again later.",
    forbidden: "This page is for the authority's staff only.",
    invalidPeriod: "The period is not valid: its first day must come before or be its last.",
    pressureTitle: "Pressure per sector",
    pressureCaption: "Pressure (bar) per sector over the period",
    colSector: "Sector",
    colCommunes: "Communes",
    colSensors: "Sensors (that measured)",
    colMean: "Mean (bar)",
    colMin: "Minimum (bar)",
    colMax: "Maximum (bar)",
    flowTitle: "Minimum night flow",
    flowIntro: "The least flow of each night, between {start}:00 and {end}:00 ({zone}).",
    meterTitle: "Flow meter {device} — sector {sector}, commune {commune}",
    chartLabel: "Minimum night flow of {device}, in m³/h, night after night",
    nightsCaption: "Minimum flow of each night of {device}",
    colNight: "Night of",
    colMinFlow: "Minimum flow (m³/h)",
    trendRising: "Rising trend: +{trend} m³/h per day. Possible leak, to be checked.",
    trendSteady: "Trend: {trend} m³/h per day.",
    trendUnknown: "Trend: not enough nights measured.",
    noMeters: "No flow meter in this sector.",
    noNights: "No night measured over this period.",
    noSectors: "No sector has readings over this period.",
    none: "(no sector)",
  },
};
