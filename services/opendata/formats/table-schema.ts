/**
 * Frictionless descriptors of a published table: the Table Schema
 * (https://specs.frictionlessdata.io/table-schema/) and the tabular Data Package that lists the
 * CSV files (https://specs.frictionlessdata.io/data-package/,
 * https://specs.frictionlessdata.io/tabular-data-package/).
 */
import type { PublishedTable, TableField, TableFieldType } from "../table.ts";
import { type LicenceDescriptor, licenceDescriptor } from "./licences.ts";

export type FieldConstraints = {
  required?: boolean;
  minimum?: number;
  maximum?: number;
  enum?: string[];
};

export type FieldDescriptor = {
  name: string;
  type: TableFieldType;
  /** "default": ISO 8601 for date (YYYY-MM-DD) and datetime (YYYY-MM-DDThh:mm:ssZ). */
  format: "default";
  title: string;
  description: string;
  /** Custom property (the spec allows them): the unit of a number. */
  unit?: string;
  constraints?: FieldConstraints;
};

export type TableSchemaDescriptor = {
  fields: FieldDescriptor[];
  primaryKey?: string[];
  /** Only the empty string is missing: the CSV writes null as an empty field. */
  missingValues: string[];
};

export type DataResourceDescriptor = {
  name: string;
  path: string;
  profile: "tabular-data-resource";
  title: string;
  description: string;
  format: "csv";
  mediatype: "text/csv";
  encoding: "utf-8";
  schema: TableSchemaDescriptor;
  /** Only when the table's licence differs from the package's (spec: resource-level licenses). */
  licenses?: LicenceDescriptor[];
};

export type DataPackageDescriptor = {
  profile: "tabular-data-package";
  name: string;
  title: string;
  description: string;
  homepage?: string;
  created: string;
  licenses: LicenceDescriptor[];
  resources: DataResourceDescriptor[];
};

export type DataPackageInput = {
  name: string;
  title: string;
  description: string;
  /** Licence id, "etalab-2.0" or "odbl-1.0". */
  licence: string;
  homepage?: string;
  resources: ReadonlyArray<{ table: PublishedTable; path: string; format: "csv" }>;
  /** ISO 8601 datetime of the package (the caller's clock, so the output is reproducible). */
  created: string;
};

function fieldConstraints(field: TableField): FieldConstraints | undefined {
  const source = field.constraints;
  if (source === undefined) return undefined;
  const constraints: FieldConstraints = {};
  if (source.required !== undefined) constraints.required = source.required;
  if (source.minimum !== undefined) constraints.minimum = source.minimum;
  if (source.maximum !== undefined) constraints.maximum = source.maximum;
  if (source.enum !== undefined) constraints.enum = [...source.enum];
  return Object.keys(constraints).length > 0 ? constraints : undefined;
}

export function fieldDescriptor(field: TableField): FieldDescriptor {
  const descriptor: FieldDescriptor = {
    name: field.name,
    type: field.type,
    format: "default",
    title: field.title,
    description: field.description,
  };
  if (field.unit !== undefined) descriptor.unit = field.unit;
  const constraints = fieldConstraints(field);
  if (constraints !== undefined) descriptor.constraints = constraints;
  return descriptor;
}

export function tableSchema(table: PublishedTable): TableSchemaDescriptor {
  const schema: TableSchemaDescriptor = { fields: table.fields.map(fieldDescriptor), missingValues: [""] };
  // An empty primaryKey is not a key; the spec wants the property absent rather than [].
  if (table.primaryKey.length > 0) schema.primaryKey = [...table.primaryKey];
  return schema;
}

function dataResource(
  resource: DataPackageInput["resources"][number],
  packageLicence: string,
): DataResourceDescriptor {
  const { table } = resource;
  const descriptor: DataResourceDescriptor = {
    name: table.name,
    path: resource.path,
    profile: "tabular-data-resource",
    title: table.title,
    description: table.description,
    format: resource.format,
    mediatype: "text/csv",
    encoding: "utf-8",
    schema: tableSchema(table),
  };
  if (table.licence !== packageLicence) descriptor.licenses = [licenceDescriptor(table.licence)];
  return descriptor;
}

export function dataPackage(input: DataPackageInput): DataPackageDescriptor {
  const descriptor: DataPackageDescriptor = {
    profile: "tabular-data-package",
    name: input.name,
    title: input.title,
    description: input.description,
    created: input.created,
    licenses: [licenceDescriptor(input.licence)],
    resources: input.resources.map((resource) => dataResource(resource, input.licence)),
  };
  if (input.homepage !== undefined) descriptor.homepage = input.homepage;
  return descriptor;
}
