/**
 * Milesight uplink codec, TTN Device Repository / ChirpStack v4 form, written for Lanterne from
 * the channel tables Milesight publishes for each model (github.com/Milesight-IoT/SensorDecoders,
 * README of em310-udl, em500-pp, ws558).
 *
 * Every Milesight uplink (fPort 85) is a run of channels: channel id (1 byte), channel type
 * (1 byte), value (little-endian, length fixed by the pair). The table below declares, per
 * model, which pair carries which value; the walker is shared. The model comes from the
 * ChirpStack device-profile variable `model`; without it (The Things Stack has no variables)
 * the union of all models is used, which is unambiguous because the pairs do not collide.
 *
 * The codec never reads past the end of the payload: a channel cut short is an error whose
 * text starts with "truncated", which the platform reports as ERR_DECODE_LENGTH.
 */

// Modern JavaScript (ES2020): ChirpStack's QuickJS and The Things Stack's goja both run it.

// Small readers: a size in bytes and a function of (bytes, offset).
const u8 = { size: 1, read: (b, i) => b[i] };
const u16 = { size: 2, read: (b, i) => b[i] | (b[i + 1] << 8) };
const u32 = {
  size: 4,
  read: (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0,
};

function divided(reader, divisor) {
  return { size: reader.size, read: (b, i) => reader.read(b, i) / divisor };
}

function oneOf(reader, names) {
  return {
    size: reader.size,
    read: (b, i) => {
      const v = reader.read(b, i);
      return v < names.length ? names[v] : "unknown";
    },
  };
}

// Events whose byte carries nothing more (the device sends 0xFF): the vendor reports them fixed.
const event = (name) => ({ size: 1, read: () => name });

// "vMAJOR.MINOR" versions: hardware keeps its minor in the high nibble of the second byte.
const version = { size: 2, read: (b, i) => `v${b[i]}.${b[i + 1]}` };
const hardwareVersion = { size: 2, read: (b, i) => `v${b[i]}.${b[i + 1] >> 4}` };
const ipsoVersion = { size: 1, read: (b, i) => `v${b[i] >> 4}.${b[i] & 0x0f}` };
const hex8 = {
  size: 8,
  read: (b, i) => {
    let s = "";
    for (let k = i; k < i + 8; k++) s += (b[k] < 16 ? "0" : "") + b[k].toString(16);
    return s;
  },
};

// A channel writes one named value...
function field(name, reader) {
  return {
    size: reader.size,
    apply: (b, i, out) => {
      out[name] = reader.read(b, i);
    },
  };
}

// ...or several: WS558 switches are a change mask (first byte) then a state mask (second byte).
function switches(count) {
  return {
    size: 2,
    apply: (b, i, out) => {
      for (let n = 0; n < count; n++) out[`switch_${n + 1}`] = (b[i + 1] >> n) & 1 ? "on" : "off";
    },
  };
}

// Device attributes every model sends after a join or a reset (channel 0xFF).
const ATTRIBUTES = {
  ff01: field("ipso_version", ipsoVersion),
  ff09: field("hardware_version", hardwareVersion),
  ff0a: field("firmware_version", version),
  ffff: field("tsl_version", version),
  ff16: field("sn", hex8),
  ff0f: field("lorawan_class", oneOf(u8, ["Class A", "Class B", "Class C", "Class CtoB"])),
  fffe: field("reset_event", event("reset")),
  ff0b: field("device_status", event("on")),
};

const battery = field("battery", u8);

const MODELS = {
  "em310-udl": {
    "0175": battery,
    "0382": field("distance", u16),
    "0400": field("position", oneOf(u8, ["normal", "tilt"])),
  },
  "em500-pp": {
    "0175": battery,
    "037b": field("pressure", u16),
  },
  ws558: {
    "0374": field("voltage", divided(u16, 10)),
    "0480": field("active_power", u32),
    "0581": field("power_factor", u8),
    "0683": field("power_consumption", u32),
    "07c9": field("total_current", u16),
    "0831": switches(8),
  },
};

function hex2(v) {
  return (v < 16 ? "0" : "") + v.toString(16);
}

function channelsOf(model) {
  // Own keys only ("constructor" is no model); Object.hasOwn is too recent for some servers' engines.
  if (model !== undefined) return Object.keys(MODELS).includes(model) ? MODELS[model] : undefined;
  const all = {};
  for (const m in MODELS) Object.assign(all, MODELS[m]);
  return all;
}

function walk(bytes, table) {
  const result = { data: {}, warnings: [], errors: [] };
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) {
      result.errors.push(`truncated payload: channel header at offset ${i} needs 2 bytes, 1 left`);
      break;
    }
    const key = hex2(bytes[i]) + hex2(bytes[i + 1]);
    const channel = table[key] || ATTRIBUTES[key];
    if (!channel) {
      // The length of an unknown pair is unknown: the rest cannot be read safely.
      result.warnings.push(`unknown channel 0x${key} at offset ${i}: rest of payload ignored`);
      break;
    }
    const left = bytes.length - i - 2;
    if (channel.size > left) {
      result.errors.push(
        `truncated payload: channel 0x${key} at offset ${i} needs ${channel.size} bytes, ${left} left`,
      );
      break;
    }
    channel.apply(bytes, i + 2, result.data);
    i += 2 + channel.size;
  }
  return result;
}

// biome-ignore lint/correctness/noUnusedVariables: the entry point the network server calls.
function decodeUplink(input) {
  const model = input.variables?.model;
  const table = channelsOf(model);
  if (!table) return { data: {}, warnings: [], errors: [`unknown Milesight model ${model}`] };
  return walk(input.bytes, table);
}
