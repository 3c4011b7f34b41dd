/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError, $Array = $util.global.Array, $TypeError = $util.global.TypeError, $String = $util.global.String, $Number = $util.global.Number, $Boolean = $util.global.Boolean, $isFinite = $util.global.isFinite, $parseInt = $util.global.parseInt, $BigInt = $util.global.BigInt;

// Exported root namespace
const $root = $protobuf.roots["lanterne"] || ($protobuf.roots["lanterne"] = {});

export const lanterne = $root.lanterne = (() => {

    /**
     * Namespace lanterne.
     * @exports lanterne
     * @namespace
     */
    const lanterne = {};

    lanterne.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof lanterne
         * @namespace
         */
        const v1 = {};

        v1.Readings = (function() {

            /**
             * Properties of a Readings.
             * @typedef {Object} lanterne.v1.Readings.$Properties
             * @property {Array.<lanterne.v1.Reading.$Properties>|null} [readings] From 1 to 1,000 readings (the platform's configured limit, the same as for JSON). An empty
             * list, or more readings than the limit, refuses the whole message.
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Readings.
             * @memberof lanterne.v1
             * @interface IReadings
             * @augments lanterne.v1.Readings.$Properties
             * @deprecated Use lanterne.v1.Readings.$Properties instead.
             */

            /**
             * Shape of a Readings.
             * @typedef {{
             *   readings?: Array.<lanterne.v1.Reading.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} lanterne.v1.Readings.$Shape
             */

            /**
             * Constructs a new Readings.
             * @memberof lanterne.v1
             * @classdesc One message: one reading or a batch of them. The JSON format's single object and batch are the
             * same thing here: a single reading is a batch of one.
             * @constructor
             * @param {lanterne.v1.Readings.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Readings = function (properties) {
                this.readings = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * From 1 to 1,000 readings (the platform's configured limit, the same as for JSON). An empty
             * list, or more readings than the limit, refuses the whole message.
             * @member {Array.<lanterne.v1.Reading.$Properties>} readings
             * @memberof lanterne.v1.Readings
             * @instance
             */
            Readings.prototype.readings = $util.emptyArray;

            /**
             * Creates a new Readings instance using the specified properties.
             * @function create
             * @memberof lanterne.v1.Readings
             * @static
             * @param {lanterne.v1.Readings.$Properties=} [properties] Properties to set
             * @returns {lanterne.v1.Readings} Readings instance
             * @type {{
             *   (properties: lanterne.v1.Readings.$Shape): lanterne.v1.Readings & lanterne.v1.Readings.$Shape;
             *   (properties?: lanterne.v1.Readings.$Properties): lanterne.v1.Readings;
             * }}
             */
            Readings.create = function(properties) {
                return new Readings(properties);
            };

            /**
             * Encodes the specified Readings message. Does not implicitly {@link lanterne.v1.Readings.verify|verify} messages.
             * @function encode
             * @memberof lanterne.v1.Readings
             * @static
             * @param {lanterne.v1.Readings.$Properties} message Readings message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Readings.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.readings != null && message.readings.length)
                    for (let i = 0; i < message.readings.length; ++i)
                        $root.lanterne.v1.Reading.encode(message.readings[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Readings message, length delimited. Does not implicitly {@link lanterne.v1.Readings.verify|verify} messages.
             * @function encodeDelimited
             * @memberof lanterne.v1.Readings
             * @static
             * @param {lanterne.v1.Readings.$Properties} message Readings message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Readings.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Readings message from the specified reader or buffer.
             * @function decode
             * @memberof lanterne.v1.Readings
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {lanterne.v1.Readings & lanterne.v1.Readings.$Shape} Readings
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Readings.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.lanterne.v1.Readings();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (!(message.readings && message.readings.length))
                                message.readings = [];
                            message.readings.push($root.lanterne.v1.Reading.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes a Readings message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof lanterne.v1.Readings
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {lanterne.v1.Readings & lanterne.v1.Readings.$Shape} Readings
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Readings.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Readings message.
             * @function verify
             * @memberof lanterne.v1.Readings
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Readings.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.readings != null && $Object.hasOwnProperty.call(message, "readings")) {
                    if (!$Array.isArray(message.readings))
                        return "readings: array expected";
                    for (let i = 0; i < message.readings.length; ++i) {
                        let error = $root.lanterne.v1.Reading.verify(message.readings[i], _depth + 1);
                        if (error)
                            return "readings." + error;
                    }
                }
                return null;
            };

            /**
             * Creates a Readings message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof lanterne.v1.Readings
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {lanterne.v1.Readings} Readings
             */
            Readings.fromObject = function (object, _depth) {
                if (object instanceof $root.lanterne.v1.Readings)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".lanterne.v1.Readings: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.lanterne.v1.Readings();
                if (object.readings) {
                    if (!$Array.isArray(object.readings))
                        throw $TypeError(".lanterne.v1.Readings.readings: array expected");
                    message.readings = $Array(object.readings.length);
                    for (let i = 0; i < object.readings.length; ++i) {
                        if (!$util.isObject(object.readings[i]))
                            throw $TypeError(".lanterne.v1.Readings.readings: object expected");
                        message.readings[i] = $root.lanterne.v1.Reading.fromObject(object.readings[i], _depth + 1);
                    }
                }
                return message;
            };

            /**
             * Creates a plain object from a Readings message. Also converts values to other types if specified.
             * @function toObject
             * @memberof lanterne.v1.Readings
             * @static
             * @param {lanterne.v1.Readings} message Readings
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Readings.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.arrays || options.defaults)
                    object.readings = [];
                if (message.readings && message.readings.length) {
                    object.readings = $Array(message.readings.length);
                    for (let j = 0; j < message.readings.length; ++j)
                        object.readings[j] = $root.lanterne.v1.Reading.toObject(message.readings[j], options, _depth + 1);
                }
                return object;
            };

            /**
             * Converts this Readings to JSON.
             * @function toJSON
             * @memberof lanterne.v1.Readings
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Readings.prototype.toJSON = function() {
                return Readings.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Readings
             * @function getTypeUrl
             * @memberof lanterne.v1.Readings
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Readings.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/lanterne.v1.Readings";
            };

            return Readings;
        })();

        v1.Reading = (function() {

            /**
             * Properties of a Reading.
             * @typedef {Object} lanterne.v1.Reading.$Properties
             * @property {string|null} [device] The device id of the inventory (for example "lum-57038-0001"), 1 to 128 characters.
             * May be left empty when the MQTT topic names the device
             * (lanterne/{operator}/devices/{device}/readings/pb); when both are given they must be equal.
             * As usual in proto3, an empty string and an absent field are the same thing.
             * @property {google.protobuf.Timestamp.$Properties|null} [time] When the measurement was taken, in UTC. Leave it unset to use the reception time. A time
             * more than 5 minutes after reception is refused (a device clock error). Precision below the
             * millisecond is dropped.
             * @property {Object.<string,lanterne.v1.Value.$Properties>|null} [data] The measurements, by field name of the device's data contract (GET /api/v1/contracts):
             * names, units, types, ranges and allowed values are the contract's, as for JSON.
             * An empty map is an empty reading (proto3 cannot tell it from an absent one); the contract
             * check then reports the required fields that are missing.
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Reading.
             * @memberof lanterne.v1
             * @interface IReading
             * @augments lanterne.v1.Reading.$Properties
             * @deprecated Use lanterne.v1.Reading.$Properties instead.
             */

            /**
             * Shape of a Reading.
             * @typedef {{
             *   device?: string|null;
             *   time?: google.protobuf.Timestamp.$Shape|null;
             *   data?: Object.<string,lanterne.v1.Value.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} lanterne.v1.Reading.$Shape
             */

            /**
             * Constructs a new Reading.
             * @memberof lanterne.v1
             * @classdesc One device's measurements at one instant.
             * @constructor
             * @param {lanterne.v1.Reading.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Reading = function (properties) {
                this.data = {};
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * The device id of the inventory (for example "lum-57038-0001"), 1 to 128 characters.
             * May be left empty when the MQTT topic names the device
             * (lanterne/{operator}/devices/{device}/readings/pb); when both are given they must be equal.
             * As usual in proto3, an empty string and an absent field are the same thing.
             * @member {string} device
             * @memberof lanterne.v1.Reading
             * @instance
             */
            Reading.prototype.device = "";

            /**
             * When the measurement was taken, in UTC. Leave it unset to use the reception time. A time
             * more than 5 minutes after reception is refused (a device clock error). Precision below the
             * millisecond is dropped.
             * @member {google.protobuf.Timestamp.$Properties|null|undefined} time
             * @memberof lanterne.v1.Reading
             * @instance
             */
            Reading.prototype.time = null;

            /**
             * The measurements, by field name of the device's data contract (GET /api/v1/contracts):
             * names, units, types, ranges and allowed values are the contract's, as for JSON.
             * An empty map is an empty reading (proto3 cannot tell it from an absent one); the contract
             * check then reports the required fields that are missing.
             * @member {Object.<string,lanterne.v1.Value.$Properties>} data
             * @memberof lanterne.v1.Reading
             * @instance
             */
            Reading.prototype.data = $util.emptyObject;

            /**
             * Creates a new Reading instance using the specified properties.
             * @function create
             * @memberof lanterne.v1.Reading
             * @static
             * @param {lanterne.v1.Reading.$Properties=} [properties] Properties to set
             * @returns {lanterne.v1.Reading} Reading instance
             * @type {{
             *   (properties: lanterne.v1.Reading.$Shape): lanterne.v1.Reading & lanterne.v1.Reading.$Shape;
             *   (properties?: lanterne.v1.Reading.$Properties): lanterne.v1.Reading;
             * }}
             */
            Reading.create = function(properties) {
                return new Reading(properties);
            };

            /**
             * Encodes the specified Reading message. Does not implicitly {@link lanterne.v1.Reading.verify|verify} messages.
             * @function encode
             * @memberof lanterne.v1.Reading
             * @static
             * @param {lanterne.v1.Reading.$Properties} message Reading message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Reading.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.device != null && $Object.hasOwnProperty.call(message, "device") && message.device !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.device);
                if (message.time != null && $Object.hasOwnProperty.call(message, "time"))
                    $root.google.protobuf.Timestamp.encode(message.time, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.data != null && $Object.hasOwnProperty.call(message, "data"))
                    for (let keys = $Object.keys(message.data), i = 0; i < keys.length; ++i) {
                        writer.uint32(/* id 4, wireType 2 =*/34).fork().uint32(/* id 1, wireType 2 =*/10).string(keys[i]);
                        $root.lanterne.v1.Value.encode(message.data[keys[i]], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim().ldelim();
                    }
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Reading message, length delimited. Does not implicitly {@link lanterne.v1.Reading.verify|verify} messages.
             * @function encodeDelimited
             * @memberof lanterne.v1.Reading
             * @static
             * @param {lanterne.v1.Reading.$Properties} message Reading message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Reading.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Reading message from the specified reader or buffer.
             * @function decode
             * @memberof lanterne.v1.Reading
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {lanterne.v1.Reading & lanterne.v1.Reading.$Shape} Reading
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Reading.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, key, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.lanterne.v1.Reading();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.device = value;
                            else
                                delete message.device;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.time = $root.google.protobuf.Timestamp.decode(reader, reader.size(), $undefined, _depth + 1, message.time);
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if (message.data === $util.emptyObject)
                                message.data = {};
                            let end2 = reader.size() + reader.pos;
                            if (end2 > reader.len)
                                throw $RangeError("index out of range");
                            reader.len = end2;
                            key = "";
                            value = null;
                            while (reader.pos < end2) {
                                let tag2 = reader.tag();
                                wireType = tag2 & 7;
                                switch (tag2 >>>= 3) {
                                case 1:
                                    if (wireType !== 2)
                                        break;
                                    key = reader.stringVerify();
                                    continue;
                                case 2:
                                    if (wireType !== 2)
                                        break;
                                    value = $root.lanterne.v1.Value.decode(reader, reader.size(), $undefined, _depth + 1, value);
                                    continue;
                                }
                                reader.skipType(wireType, _depth, tag2);
                            }
                            if (reader.pos !== end2)
                                throw $RangeError("index out of range");
                            reader.len = end;
                            if (key === "__proto__")
                                $util.makeProp(message.data, key);
                            message.data[key] = value || new $root.lanterne.v1.Value();
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes a Reading message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof lanterne.v1.Reading
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {lanterne.v1.Reading & lanterne.v1.Reading.$Shape} Reading
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Reading.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Reading message.
             * @function verify
             * @memberof lanterne.v1.Reading
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Reading.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.device != null && $Object.hasOwnProperty.call(message, "device"))
                    if (!$util.isString(message.device))
                        return "device: string expected";
                if (message.time != null && $Object.hasOwnProperty.call(message, "time")) {
                    let error = $root.google.protobuf.Timestamp.verify(message.time, _depth + 1);
                    if (error)
                        return "time." + error;
                }
                if (message.data != null && $Object.hasOwnProperty.call(message, "data")) {
                    if (!$util.isObject(message.data))
                        return "data: object expected";
                    let key = $Object.keys(message.data);
                    for (let i = 0; i < key.length; ++i) {
                        let error = $root.lanterne.v1.Value.verify(message.data[key[i]], _depth + 1);
                        if (error)
                            return "data." + error;
                    }
                }
                return null;
            };

            /**
             * Creates a Reading message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof lanterne.v1.Reading
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {lanterne.v1.Reading} Reading
             */
            Reading.fromObject = function (object, _depth) {
                if (object instanceof $root.lanterne.v1.Reading)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".lanterne.v1.Reading: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.lanterne.v1.Reading();
                if (object.device != null)
                    if (typeof object.device !== "string" || object.device.length)
                        message.device = $String(object.device);
                if (object.time != null) {
                    if (!$util.isObject(object.time))
                        throw $TypeError(".lanterne.v1.Reading.time: object expected");
                    message.time = $root.google.protobuf.Timestamp.fromObject(object.time, _depth + 1);
                }
                if (object.data) {
                    if (!$util.isObject(object.data))
                        throw $TypeError(".lanterne.v1.Reading.data: object expected");
                    message.data = {};
                    for (let keys = $Object.keys(object.data), i = 0; i < keys.length; ++i) {
                        if (keys[i] === "__proto__")
                            $util.makeProp(message.data, keys[i]);
                        if (!$util.isObject(object.data[keys[i]]))
                            throw $TypeError(".lanterne.v1.Reading.data: object expected");
                        message.data[keys[i]] = $root.lanterne.v1.Value.fromObject(object.data[keys[i]], _depth + 1);
                    }
                }
                return message;
            };

            /**
             * Creates a plain object from a Reading message. Also converts values to other types if specified.
             * @function toObject
             * @memberof lanterne.v1.Reading
             * @static
             * @param {lanterne.v1.Reading} message Reading
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Reading.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.objects || options.defaults)
                    object.data = {};
                if (options.defaults) {
                    object.device = "";
                    object.time = null;
                }
                if (message.device != null && $Object.hasOwnProperty.call(message, "device"))
                    object.device = message.device;
                if (message.time != null && $Object.hasOwnProperty.call(message, "time"))
                    object.time = $root.google.protobuf.Timestamp.toObject(message.time, options, _depth + 1);
                let keys2;
                if (message.data && (keys2 = $Object.keys(message.data)).length) {
                    object.data = {};
                    for (let j = 0; j < keys2.length; ++j) {
                        if (keys2[j] === "__proto__")
                            $util.makeProp(object.data, keys2[j]);
                        object.data[keys2[j]] = $root.lanterne.v1.Value.toObject(message.data[keys2[j]], options, _depth + 1);
                    }
                }
                return object;
            };

            /**
             * Converts this Reading to JSON.
             * @function toJSON
             * @memberof lanterne.v1.Reading
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Reading.prototype.toJSON = function() {
                return Reading.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Reading
             * @function getTypeUrl
             * @memberof lanterne.v1.Reading
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Reading.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/lanterne.v1.Reading";
            };

            return Reading;
        })();

        v1.Value = (function() {

            /**
             * Properties of a Value.
             * @typedef {Object} lanterne.v1.Value.$Properties
             * @property {number|null} [number] Any finite number (integers included: 1 and 1.0 are the same value, as in JSON).
             * NaN and infinities cannot be written in JSON and are refused here too.
             * @property {string|null} [text] A text, for example an enumerated state such as "on" or "fault".
             * @property {boolean|null} [flag] A boolean.
             * @property {"number"|"text"|"flag"} [kind] Value kind
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Value.
             * @memberof lanterne.v1
             * @interface IValue
             * @augments lanterne.v1.Value.$Properties
             * @deprecated Use lanterne.v1.Value.$Properties instead.
             */

            /**
             * Narrowed shape of a Value.
             * @typedef {{
             *   number?: number|null;
             *   text?: string|null;
             *   flag?: boolean|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ kind?: undefined; number?: null; text?: null; flag?: null }|{ kind?: "number"; number: number; text?: null; flag?: null }|{ kind?: "text"; number?: null; text: string; flag?: null }|{ kind?: "flag"; number?: null; text?: null; flag: boolean })
             * )} lanterne.v1.Value.$Shape
             */

            /**
             * Constructs a new Value.
             * @memberof lanterne.v1
             * @classdesc One measured value: a number, a text or a boolean, as JSON allows. Exactly one must be set:
             * a Value with none set refuses the reading (ERR_PAYLOAD_PROTOBUF at data.<name>).
             * @constructor
             * @param {lanterne.v1.Value.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Value = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Any finite number (integers included: 1 and 1.0 are the same value, as in JSON).
             * NaN and infinities cannot be written in JSON and are refused here too.
             * @member {number|null|undefined} number
             * @memberof lanterne.v1.Value
             * @instance
             */
            Value.prototype.number = null;

            /**
             * A text, for example an enumerated state such as "on" or "fault".
             * @member {string|null|undefined} text
             * @memberof lanterne.v1.Value
             * @instance
             */
            Value.prototype.text = null;

            /**
             * A boolean.
             * @member {boolean|null|undefined} flag
             * @memberof lanterne.v1.Value
             * @instance
             */
            Value.prototype.flag = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * Value kind.
             * @member {"number"|"text"|"flag"|undefined} kind
             * @memberof lanterne.v1.Value
             * @instance
             */
            $Object.defineProperty(Value.prototype, "kind", {
                get: $util.oneOfGetter($oneOfFields = ["number", "text", "flag"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Value instance using the specified properties.
             * @function create
             * @memberof lanterne.v1.Value
             * @static
             * @param {lanterne.v1.Value.$Properties=} [properties] Properties to set
             * @returns {lanterne.v1.Value} Value instance
             * @type {{
             *   (properties: lanterne.v1.Value.$Shape): lanterne.v1.Value & lanterne.v1.Value.$Shape;
             *   (properties?: lanterne.v1.Value.$Properties): lanterne.v1.Value;
             * }}
             */
            Value.create = function(properties) {
                return new Value(properties);
            };

            /**
             * Encodes the specified Value message. Does not implicitly {@link lanterne.v1.Value.verify|verify} messages.
             * @function encode
             * @memberof lanterne.v1.Value
             * @static
             * @param {lanterne.v1.Value.$Properties} message Value message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Value.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.number != null && $Object.hasOwnProperty.call(message, "number"))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.number);
                if (message.text != null && $Object.hasOwnProperty.call(message, "text"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.text);
                if (message.flag != null && $Object.hasOwnProperty.call(message, "flag"))
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.flag);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Value message, length delimited. Does not implicitly {@link lanterne.v1.Value.verify|verify} messages.
             * @function encodeDelimited
             * @memberof lanterne.v1.Value
             * @static
             * @param {lanterne.v1.Value.$Properties} message Value message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Value.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Value message from the specified reader or buffer.
             * @function decode
             * @memberof lanterne.v1.Value
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {lanterne.v1.Value & lanterne.v1.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Value.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.lanterne.v1.Value();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 1)
                                break;
                            message.number = reader.double();
                            message.kind = "number";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.text = reader.stringVerify();
                            message.kind = "text";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            message.flag = reader.bool();
                            message.kind = "flag";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes a Value message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof lanterne.v1.Value
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {lanterne.v1.Value & lanterne.v1.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Value.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Value message.
             * @function verify
             * @memberof lanterne.v1.Value
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Value.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                let properties = {};
                if (message.number != null && $Object.hasOwnProperty.call(message, "number")) {
                    properties.kind = 1;
                    if (typeof message.number !== "number")
                        return "number: number expected";
                }
                if (message.text != null && $Object.hasOwnProperty.call(message, "text")) {
                    if (properties.kind === 1)
                        return "kind: multiple values";
                    properties.kind = 1;
                    if (!$util.isString(message.text))
                        return "text: string expected";
                }
                if (message.flag != null && $Object.hasOwnProperty.call(message, "flag")) {
                    if (properties.kind === 1)
                        return "kind: multiple values";
                    properties.kind = 1;
                    if (typeof message.flag !== "boolean")
                        return "flag: boolean expected";
                }
                return null;
            };

            /**
             * Creates a Value message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof lanterne.v1.Value
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {lanterne.v1.Value} Value
             */
            Value.fromObject = function (object, _depth) {
                if (object instanceof $root.lanterne.v1.Value)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".lanterne.v1.Value: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.lanterne.v1.Value();
                if (object.number != null)
                    message.number = $Number(object.number);
                if (object.text != null)
                    message.text = $String(object.text);
                if (object.flag != null)
                    message.flag = $Boolean(object.flag);
                return message;
            };

            /**
             * Creates a plain object from a Value message. Also converts values to other types if specified.
             * @function toObject
             * @memberof lanterne.v1.Value
             * @static
             * @param {lanterne.v1.Value} message Value
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Value.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (message.number != null && $Object.hasOwnProperty.call(message, "number")) {
                    object.number = options.json && !$isFinite(message.number) ? $String(message.number) : message.number;
                    if (options.oneofs)
                        object.kind = "number";
                }
                if (message.text != null && $Object.hasOwnProperty.call(message, "text")) {
                    object.text = message.text;
                    if (options.oneofs)
                        object.kind = "text";
                }
                if (message.flag != null && $Object.hasOwnProperty.call(message, "flag")) {
                    object.flag = message.flag;
                    if (options.oneofs)
                        object.kind = "flag";
                }
                return object;
            };

            /**
             * Converts this Value to JSON.
             * @function toJSON
             * @memberof lanterne.v1.Value
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Value.prototype.toJSON = function() {
                return Value.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Value
             * @function getTypeUrl
             * @memberof lanterne.v1.Value
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Value.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/lanterne.v1.Value";
            };

            return Value;
        })();

        return v1;
    })();

    return lanterne;
})();

export const google = $root.google = (() => {

    /**
     * Namespace google.
     * @exports google
     * @namespace
     */
    const google = {};

    google.protobuf = (function() {

        /**
         * Namespace protobuf.
         * @memberof google
         * @namespace
         */
        const protobuf = {};

        protobuf.Timestamp = (function() {

            /**
             * Properties of a Timestamp.
             * @typedef {Object} google.protobuf.Timestamp.$Properties
             * @property {number|Long|null} [seconds] Timestamp seconds
             * @property {number|null} [nanos] Timestamp nanos
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Timestamp.
             * @memberof google.protobuf
             * @interface ITimestamp
             * @augments google.protobuf.Timestamp.$Properties
             * @deprecated Use google.protobuf.Timestamp.$Properties instead.
             */

            /**
             * Shape of a Timestamp.
             * @typedef {google.protobuf.Timestamp.$Properties} google.protobuf.Timestamp.$Shape
             */

            /**
             * Constructs a new Timestamp.
             * @memberof google.protobuf
             * @classdesc Represents a Timestamp.
             * @constructor
             * @param {google.protobuf.Timestamp.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Timestamp = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Timestamp seconds.
             * @member {number|Long} seconds
             * @memberof google.protobuf.Timestamp
             * @instance
             */
            Timestamp.prototype.seconds = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Timestamp nanos.
             * @member {number} nanos
             * @memberof google.protobuf.Timestamp
             * @instance
             */
            Timestamp.prototype.nanos = 0;

            /**
             * Creates a new Timestamp instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Timestamp} Timestamp instance
             * @type {{
             *   (properties: google.protobuf.Timestamp.$Shape): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;
             *   (properties?: google.protobuf.Timestamp.$Properties): google.protobuf.Timestamp;
             * }}
             */
            Timestamp.create = function(properties) {
                return new Timestamp(properties);
            };

            /**
             * Encodes the specified Timestamp message. Does not implicitly {@link google.protobuf.Timestamp.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp.$Properties} message Timestamp message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Timestamp.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seconds != null && $Object.hasOwnProperty.call(message, "seconds") && (typeof message.seconds === "object" ? message.seconds.low || message.seconds.high : message.seconds !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.seconds);
                if (message.nanos != null && $Object.hasOwnProperty.call(message, "nanos") && message.nanos !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.nanos);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Encodes the specified Timestamp message, length delimited. Does not implicitly {@link google.protobuf.Timestamp.verify|verify} messages.
             * @function encodeDelimited
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp.$Properties} message Timestamp message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Timestamp.encodeDelimited = function(message, writer) {
                return this.encode(message, (writer || $Writer.create()).fork()).ldelim();
            };

            /**
             * Decodes a Timestamp message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape} Timestamp
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Timestamp.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Timestamp();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.seconds = value;
                            else
                                delete message.seconds;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.nanos = value;
                            else
                                delete message.nanos;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Decodes a Timestamp message from the specified reader or buffer, length delimited.
             * @function decodeDelimited
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @returns {google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape} Timestamp
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Timestamp.decodeDelimited = function(reader) {
                if (!(reader instanceof $Reader))
                    reader = new $Reader(reader);
                return this.decode(reader, reader.size());
            };

            /**
             * Verifies a Timestamp message.
             * @function verify
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {Object.<string,*>} message Plain object to verify
             * @returns {string|null} `null` if valid, otherwise the reason why it is not
             */
            Timestamp.verify = function (message, _depth) {
                if (typeof message !== "object" || message === null)
                    return "object expected";
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    return "max depth exceeded";
                if (message.seconds != null && $Object.hasOwnProperty.call(message, "seconds"))
                    if (!$util.isInteger(message.seconds) && !(message.seconds && $util.isInteger(message.seconds.low) && $util.isInteger(message.seconds.high)))
                        return "seconds: integer|Long expected";
                if (message.nanos != null && $Object.hasOwnProperty.call(message, "nanos"))
                    if (!$util.isInteger(message.nanos))
                        return "nanos: integer expected";
                return null;
            };

            /**
             * Creates a Timestamp message from a plain object. Also converts values to their respective internal types.
             * @function fromObject
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {Object.<string,*>} object Plain object
             * @returns {google.protobuf.Timestamp} Timestamp
             */
            Timestamp.fromObject = function (object, _depth) {
                if (object instanceof $root.google.protobuf.Timestamp)
                    return object;
                if (!$util.isObject(object))
                    throw $TypeError(".google.protobuf.Timestamp: object expected");
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let message = new $root.google.protobuf.Timestamp();
                if (object.seconds != null)
                    if (typeof object.seconds === "object" ? object.seconds.low || object.seconds.high : $Number(object.seconds) !== 0)
                        if ($util.Long)
                            message.seconds = $util.Long.fromValue(object.seconds, false);
                        else if (typeof object.seconds === "string")
                            message.seconds = $parseInt(object.seconds, 10);
                        else if (typeof object.seconds === "number")
                            message.seconds = object.seconds;
                        else if (typeof object.seconds === "object")
                            message.seconds = new $util.LongBits(object.seconds.low >>> 0, object.seconds.high >>> 0).toNumber();
                if (object.nanos != null)
                    if ($Number(object.nanos) !== 0)
                        message.nanos = object.nanos | 0;
                return message;
            };

            /**
             * Creates a plain object from a Timestamp message. Also converts values to other types if specified.
             * @function toObject
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {google.protobuf.Timestamp} message Timestamp
             * @param {$protobuf.IConversionOptions} [options] Conversion options
             * @returns {Object.<string,*>} Plain object
             */
            Timestamp.toObject = function (message, options, _depth) {
                if (!options)
                    options = {};
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                let object = {};
                if (options.defaults) {
                    if ($util.Long) {
                        let long = new $util.Long(0, 0, false);
                        object.seconds = options.longs === $String ? long.toString() : options.longs === $Number ? long.toNumber() : typeof $BigInt !== "undefined" && options.longs === $BigInt ? long.toBigInt() : long;
                    } else
                        object.seconds = options.longs === $String ? "0" : typeof $BigInt !== "undefined" && options.longs === $BigInt ? $BigInt("0") : 0;
                    object.nanos = 0;
                }
                if (message.seconds != null && $Object.hasOwnProperty.call(message, "seconds"))
                    if (typeof $BigInt !== "undefined" && options.longs === $BigInt)
                        object.seconds = typeof message.seconds === "number" ? $BigInt(message.seconds) : $util.Long.fromBits(message.seconds.low >>> 0, message.seconds.high >>> 0, false).toBigInt();
                    else if (typeof message.seconds === "number")
                        object.seconds = options.longs === $String ? $String(message.seconds) : message.seconds;
                    else
                        object.seconds = options.longs === $String ? $util.Long.prototype.toString.call(message.seconds) : options.longs === $Number ? new $util.LongBits(message.seconds.low >>> 0, message.seconds.high >>> 0).toNumber() : message.seconds;
                if (message.nanos != null && $Object.hasOwnProperty.call(message, "nanos"))
                    object.nanos = message.nanos;
                return object;
            };

            /**
             * Converts this Timestamp to JSON.
             * @function toJSON
             * @memberof google.protobuf.Timestamp
             * @instance
             * @returns {Object.<string,*>} JSON object
             */
            Timestamp.prototype.toJSON = function() {
                return Timestamp.toObject(this, $protobuf.util.toJSONOptions);
            };

            /**
             * Gets the type url for Timestamp
             * @function getTypeUrl
             * @memberof google.protobuf.Timestamp
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Timestamp.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/google.protobuf.Timestamp";
            };

            return Timestamp;
        })();

        return protobuf;
    })();

    return google;
})();

export {
  $root as default
};
