import type { Table } from "./common.ts";

/**
 * The sobriety report and the processing register (`/sobriete`, `/sobriety`). `{…}` are filled
 * with text (fill), numbers already formatted.
 */
export const sobriete: Table<
  | "title"
  | "intro"
  | "formTitle"
  | "year"
  | "apply"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "badYear"
  | "reportTitle"
  | "platformHosting"
  | "contractTitle"
  | "versions"
  | "hosting"
  | "fieldsCaption"
  | "colField"
  | "colUnit"
  | "colPurpose"
  | "colPersonal"
  | "colCollected"
  | "yes"
  | "no"
  | "noPurpose"
  | "noDescription"
  | "monthsCaption"
  | "colMonth"
  | "colReadings"
  | "total"
  | "tiersCaption"
  | "colTier"
  | "colKept"
  | "colRows"
  | "colVersion"
  | "tierRaw"
  | "tierHourly"
  | "tierDaily"
  | "notMeasured"
  | "rawOfYear"
  | "pastRetention"
  | "lastPurge"
  | "noPurge"
  | "refused"
  | "footprintTitle"
  | "footprintCaption"
  | "colFile"
  | "colSize"
  | "influxNote"
  | "deletionsNote"
  | "days"
  | "years"
  | "registerTitle"
  | "registerIntro"
  | "registerCsv"
  | "registerCaption"
  | "registerEmpty"
  | "colContract"
  | "colLegalBasis"
  | "colRetention"
  | "colRecipients"
  | "colTransfers"
  | "colVersions"
  | "defaultBasis"
  | "notCollected"
  | "retentionShort"
  | "role_admin"
  | "role_technician"
  | "role_operator"
  | "neverPublished"
> = {
  fr: {
    title: "Sobriété des données et registre des traitements",
    intro:
      "Ce rapport annuel dit, pour chaque contrat de données, à quoi sert chaque champ, combien de relevés ont été reçus, ce qui est conservé, combien de temps, et ce qui a été refusé comme non nécessaire. Le registre des traitements de données personnelles (RGPD article 30) est établi à partir des contrats.",
    formTitle: "Année du rapport",
    year: "Année",
    apply: "Afficher",
    loading: "Chargement…",
    loaded: "Rapport de l'année {year} affiché.",
    loadFailed: "Le rapport n'a pas pu être chargé. Réessayez plus tard.",
    forbidden: "Ce rapport est réservé aux administrateurs et aux techniciens de la collectivité.",
    badYear: "Indiquez une année sur quatre chiffres, par exemple 2026.",
    reportTitle: "Rapport de sobriété de l'année {year}",
    platformHosting: "Hébergement de la plateforme : {place}.",
    contractTitle: "{name} ({id})",
    versions: "Versions du contrat en vigueur dans l'année : {versions}.",
    hosting: "Hébergement : {place}.",
    fieldsCaption: "Champs collectés et leur finalité — {name}",
    colField: "Champ",
    colUnit: "Unité",
    colPurpose: "Finalité",
    colPersonal: "Donnée personnelle",
    colCollected: "Collecté",
    yes: "oui",
    no: "non",
    noPurpose: "aucune finalité déclarée : jamais collecté",
    noDescription: "(sans description)",
    monthsCaption: "Relevés reçus par mois en {year} — {name}",
    colMonth: "Mois",
    colReadings: "Relevés reçus",
    total: "Total",
    tiersCaption: "Conservation par niveau — {name}",
    colTier: "Niveau",
    colKept: "Durée de conservation",
    colRows: "Valeurs conservées aujourd'hui",
    colVersion: "Version",
    tierRaw: "brut",
    tierHourly: "horaire",
    tierDaily: "quotidien",
    notMeasured: "non mesuré",
    rawOfYear: "Valeurs brutes de l'année encore conservées : {count}.",
    pastRetention:
      "Relevés de l'année au-delà de leur durée de conservation brute (supprimés par la purge horaire) : {count}.",
    lastPurge: "Dernière purge le {date} : {count} lignes supprimées.",
    noPurge: "Aucune purge connue cette année par la plateforme en cours.",
    refused:
      "Refusé comme non nécessaire : {unknown} valeurs de champs non déclarés au contrat, {personal} valeurs personnelles sans finalité.",
    footprintTitle: "Empreinte de stockage",
    footprintCaption: "Taille des fichiers du dossier de données",
    colFile: "Fichier",
    colSize: "Taille",
    influxNote:
      "Les séries temporelles sont dans InfluxDB : leur taille se mesure sur le serveur InfluxDB, pas ici.",
    deletionsNote:
      "Le cumul des suppressions par la conservation n'est pas enregistré par la plateforme : seule la dernière purge est connue. Le nombre de relevés au-delà de la durée brute, tiré du registre des livraisons, en tient lieu.",
    days: "{n} jours",
    years: "{n} ans",
    registerTitle: "Registre des traitements de données personnelles",
    registerIntro:
      "Une ligne par contrat et par champ personnel, établie à partir des contrats de données. Le registre ne contient lui-même aucune donnée personnelle.",
    registerCsv: "Télécharger le registre (CSV)",
    registerCaption: "Traitements de données personnelles ({controller})",
    registerEmpty: "Aucun contrat ne déclare de donnée personnelle.",
    colContract: "Contrat",
    colLegalBasis: "Base légale",
    colRetention: "Conservation",
    colRecipients: "Destinataires",
    colTransfers: "Transferts hors UE",
    colVersions: "Versions",
    defaultBasis: "{basis} (par défaut)",
    notCollected: "aucune finalité déclarée : non collecté",
    retentionShort: "brut {raw}, horaire {hourly}, quotidien {daily}",
    role_admin: "administrateurs",
    role_technician: "techniciens",
    role_operator: "opérateurs",
    neverPublished: "jamais publié en données ouvertes",
  },
  en: {
    title: "Data sobriety and processing register",
    intro:
      "This yearly report says, for each data contract, what each field is for, how many readings came in, what is kept and for how long, and what was refused as not needed. The register of personal-data processing (GDPR article 30) is built from the contracts.",
    formTitle: "Year of the report",
    year: "Year",
    apply: "Show",
    loading: "Loading…",
    loaded: "Report for {year} shown.",
    loadFailed: "The report could not be loaded. Try again later.",
    forbidden: "This report is for the authority's administrators and technicians.",
    badYear: "Enter a four-digit year, for example 2026.",
    reportTitle: "Sobriety report for {year}",
    platformHosting: "Platform hosting: {place}.",
    contractTitle: "{name} ({id})",
    versions: "Contract versions in force during the year: {versions}.",
    hosting: "Hosting: {place}.",
    fieldsCaption: "Fields collected and their purpose — {name}",
    colField: "Field",
    colUnit: "Unit",
    colPurpose: "Purpose",
    colPersonal: "Personal data",
    colCollected: "Collected",
    yes: "yes",
    no: "no",
    noPurpose: "no purpose stated: never collected",
    noDescription: "(no description)",
    monthsCaption: "Readings received per month in {year} — {name}",
    colMonth: "Month",
    colReadings: "Readings received",
    total: "Total",
    tiersCaption: "Retention per tier — {name}",
    colTier: "Tier",
    colKept: "Kept for",
    colRows: "Values held today",
    colVersion: "Version",
    tierRaw: "raw",
    tierHourly: "hourly",
    tierDaily: "daily",
    notMeasured: "not measured",
    rawOfYear: "Raw values of the year still held: {count}.",
    pastRetention: "Readings of the year past their raw retention (removed by the hourly purge): {count}.",
    lastPurge: "Last purge on {date}: {count} rows removed.",
    noPurge: "No purge known this year by the running platform.",
    refused:
      "Refused as not needed: {unknown} values of fields the contract does not declare, {personal} personal values without a purpose.",
    footprintTitle: "Storage footprint",
    footprintCaption: "Size of the files in the data folder",
    colFile: "File",
    colSize: "Size",
    influxNote: "The time series are in InfluxDB: their size is measured on the InfluxDB server, not here.",
    deletionsNote:
      "The platform does not record a running total of retention deletions: only the last purge is known. The number of readings past their raw retention, from the delivery ledger, stands in for it.",
    days: "{n} days",
    years: "{n} years",
    registerTitle: "Register of personal-data processing",
    registerIntro:
      "One line per contract and personal field, built from the data contracts. The register itself holds no personal data.",
    registerCsv: "Download the register (CSV)",
    registerCaption: "Personal-data processing ({controller})",
    registerEmpty: "No contract declares personal data.",
    colContract: "Contract",
    colLegalBasis: "Legal basis",
    colRetention: "Retention",
    colRecipients: "Recipients",
    colTransfers: "Transfers outside the EU",
    colVersions: "Versions",
    defaultBasis: "{basis} (default)",
    notCollected: "no purpose stated: not collected",
    retentionShort: "raw {raw}, hourly {hourly}, daily {daily}",
    role_admin: "administrators",
    role_technician: "technicians",
    role_operator: "operators",
    neverPublished: "never published as open data",
  },
};
