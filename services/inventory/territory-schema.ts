import { type Static, Type } from "@sinclair/typebox";

/**
 * `territory.yaml`, the collectivity's own description of its platform. Every object is closed:
 * an unknown key is refused, since a misspelt optional key (`assignment:` for `assignments:`,
 * `dedup_window:`) would otherwise be ignored in silence. Each `description` completes
 * "must be ..." in the messages (schema-errors.ts). Cross-references (an integration's operator,
 * ids named twice) are checked by territory-file.ts once the shapes are right.
 */
const closed = { additionalProperties: false } as const;

const Text = (description: string) => Type.String({ minLength: 1, description });

/** Operator and integration ids are MQTT usernames, client-id prefixes and topic levels. */
const Slug = (description: string) =>
  Type.String({
    pattern: "^[a-z0-9][a-z0-9-]*$",
    description: `${description}: lowercase letters, digits and -, not starting with -`,
  });

const ScryptHash = (what: string) =>
  Type.String({
    pattern: "^scrypt\\$",
    description: `the scrypt hash of the ${what} (scrypt$...), never the clear value: npx tsx territory/hash-secret.ts < secret.txt`,
  });

const Siren = (description: string) =>
  Type.String({ pattern: "^\\d{9}$", description: `${description}, 9 digits written as text` });

export const OwnerSchema = Type.Object(
  {
    id: Text("the collectivity's id, the owner of its devices and contracts"),
    name: Text("the collectivity's name"),
    siren: Type.Optional(Siren("the collectivity's SIREN")),
  },
  { ...closed, description: "the collectivity: {id, name, siren?}" },
);

export const OperatorSchema = Type.Object(
  {
    id: Slug("the operator's id"),
    name: Type.Optional(Text("the operator's name, shown to people")),
    kind: Type.Optional(Text("what the operator does (lighting contractor, water utility...), for people")),
    username: Type.Optional(Text("the MQTT and HTTP username (the id by default)")),
    secret_hash: ScryptHash("operator's secret"),
  },
  { ...closed, description: "an operator: {id, name?, kind?, username?, secret_hash}" },
);

export const UserSchema = Type.Object(
  {
    id: Text("the user's id"),
    name: Type.Optional(Text("the user's name")),
    role: Type.Union([Type.Literal("admin"), Type.Literal("technician")], {
      description: "the user's role: admin or technician",
    }),
    token_hash: ScryptHash("user's API token"),
  },
  { ...closed, description: "a staff user: {id, name?, role, token_hash}" },
);

/** See integrations.ts for what each key does. */
export const IntegrationSchema = Type.Object(
  {
    id: Slug("the integration's id"),
    kind: Type.Union([Type.Literal("chirpstack"), Type.Literal("tts")], {
      description: "the network server: chirpstack or tts",
    }),
    operator: Text("the id of the operator whose contracts the data must meet"),
    url: Type.Optional(
      Type.String({
        pattern: "^mqtts?://[^/]",
        description: "the broker: mqtt://host:port or mqtts://host:port",
      }),
    ),
    username: Type.Optional(Text("the broker username")),
    password_env: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
        description: "the name of the environment variable holding the broker password",
      }),
    ),
    applications: Type.Optional(
      Type.Array(Text("a ChirpStack application id"), {
        description: "a list of ChirpStack application ids",
      }),
    ),
    webhook_secret_hash: Type.Optional(ScryptHash("The Things Stack webhook's secret")),
  },
  { ...closed, description: "an integration: {id, kind, operator, url?, ...}" },
);

export const GatewaySchema = Type.Object(
  {
    eui: Type.String({
      pattern: "^[0-9a-fA-F]{16}$",
      description: "the gateway EUI its packet forwarder sends, 16 hex characters",
    }),
    name: Text("the gateway's name, shown to technicians"),
  },
  { ...closed, description: "a gateway: {eui, name}" },
);

export const SemtechUdpSchema = Type.Object(
  {
    gateways: Type.Array(GatewaySchema, { description: "the list of the only gateways accepted" }),
    abp_devices: Type.Optional(
      Text("the file of ABP devices with their sealed keys, relative to territory.yaml"),
    ),
    dedup_window_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 60_000,
        description:
          "how long copies of a frame from other gateways join it, in ms: an integer from 0 to 60000",
      }),
    ),
  },
  { ...closed, description: "the collectivity's gateways: {gateways: [{eui, name}], abp_devices?}" },
);

export const TerritorySchema = Type.Object(
  {
    owner: OwnerSchema,
    epci: Type.Optional(Siren("the SIREN of the EPCI whose communes make up the territory")),
    inventory: Text("the inventory file (CSV or GeoJSON), relative to territory.yaml"),
    assignments: Type.Optional(Text("the assignments history CSV, relative to territory.yaml")),
    contracts: Type.Optional(Text("the folder of data contracts, relative to territory.yaml")),
    outlines: Type.Optional(
      Text(
        "the communes' outlines, a GeoJSON FeatureCollection of Polygon or MultiPolygon features with the INSEE code in the `code` property, relative to territory.yaml",
      ),
    ),
    operators: Type.Optional(Type.Array(OperatorSchema, { description: "a list of operators" })),
    users: Type.Optional(Type.Array(UserSchema, { description: "a list of staff users" })),
    integrations: Type.Optional(Type.Array(IntegrationSchema, { description: "a list of integrations" })),
    semtech_udp: Type.Optional(SemtechUdpSchema),
  },
  { ...closed, description: "a mapping of owner, inventory, operators, users..." },
);
export type TerritoryDoc = Static<typeof TerritorySchema>;
export type OperatorDoc = Static<typeof OperatorSchema>;
export type UserDoc = Static<typeof UserSchema>;
export type IntegrationDoc = Static<typeof IntegrationSchema>;
export type GatewayDoc = Static<typeof GatewaySchema>;
export type SemtechUdpDoc = Static<typeof SemtechUdpSchema>;

/** What to say of a key that is not in the format, when we can guess what was meant. */
export const TERRITORY_HINTS: Readonly<Record<string, string>> = {
  password: "never in the file: name the environment variable that holds it in password_env",
  secret: "never the clear secret: put its scrypt hash in secret_hash (npx tsx territory/hash-secret.ts)",
  token: "never the clear token: put its scrypt hash in token_hash (npx tsx territory/hash-secret.ts)",
  webhook_secret:
    "never the clear secret: put its scrypt hash in webhook_secret_hash (npx tsx territory/hash-secret.ts)",
};
