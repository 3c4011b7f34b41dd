import * as $protobuf from "protobufjs/minimal.js";
import Long = require("long");

/** Namespace lanterne. */
export namespace lanterne {

    /** Namespace v1. */
    namespace v1 {

        /**
         * Properties of a Readings.
         * @deprecated Use lanterne.v1.Readings.$Properties instead.
         */
        interface IReadings extends lanterne.v1.Readings.$Properties {
        }

        /**
         * One message: one reading or a batch of them. The JSON format's single object and batch are the
         * same thing here: a single reading is a batch of one.
         */
        class Readings {

            /**
             * Constructs a new Readings.
             * @param [properties] Properties to set
             */
            constructor(properties?: lanterne.v1.Readings.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * From 1 to 1,000 readings (the platform's configured limit, the same as for JSON). An empty
             * list, or more readings than the limit, refuses the whole message.
             */
            readings: lanterne.v1.Reading.$Properties[];

            /**
             * Creates a new Readings instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Readings instance
             */
            static create(properties: lanterne.v1.Readings.$Shape): lanterne.v1.Readings & lanterne.v1.Readings.$Shape;
            static create(properties?: lanterne.v1.Readings.$Properties): lanterne.v1.Readings;

            /**
             * Encodes the specified Readings message. Does not implicitly {@link lanterne.v1.Readings.verify|verify} messages.
             * @param message Readings message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: lanterne.v1.Readings.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Readings message, length delimited. Does not implicitly {@link lanterne.v1.Readings.verify|verify} messages.
             * @param message Readings message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: lanterne.v1.Readings.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Readings message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {lanterne.v1.Readings & lanterne.v1.Readings.$Shape} Readings
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): lanterne.v1.Readings & lanterne.v1.Readings.$Shape;

            /**
             * Decodes a Readings message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {lanterne.v1.Readings & lanterne.v1.Readings.$Shape} Readings
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): lanterne.v1.Readings & lanterne.v1.Readings.$Shape;

            /**
             * Verifies a Readings message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Readings message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Readings
             */
            static fromObject(object: { [k: string]: any }): lanterne.v1.Readings;

            /**
             * Creates a plain object from a Readings message. Also converts values to other types if specified.
             * @param message Readings
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: lanterne.v1.Readings, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Readings to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Readings
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Readings {

            /** Properties of a Readings. */
            interface $Properties {

                /**
                 * From 1 to 1,000 readings (the platform's configured limit, the same as for JSON). An empty
                 * list, or more readings than the limit, refuses the whole message.
                 */
                readings?: (lanterne.v1.Reading.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Readings. */
            type $Shape = {
              readings?: lanterne.v1.Reading.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a Reading.
         * @deprecated Use lanterne.v1.Reading.$Properties instead.
         */
        interface IReading extends lanterne.v1.Reading.$Properties {
        }

        /** One device's measurements at one instant. */
        class Reading {

            /**
             * Constructs a new Reading.
             * @param [properties] Properties to set
             */
            constructor(properties?: lanterne.v1.Reading.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * The device id of the inventory (for example "lum-57038-0001"), 1 to 128 characters.
             * May be left empty when the MQTT topic names the device
             * (lanterne/{operator}/devices/{device}/readings/pb); when both are given they must be equal.
             * As usual in proto3, an empty string and an absent field are the same thing.
             */
            device: string;

            /**
             * When the measurement was taken, in UTC. Leave it unset to use the reception time. A time
             * more than 5 minutes after reception is refused (a device clock error). Precision below the
             * millisecond is dropped.
             */
            time?: (google.protobuf.Timestamp.$Properties|null);

            /**
             * The measurements, by field name of the device's data contract (GET /api/v1/contracts):
             * names, units, types, ranges and allowed values are the contract's, as for JSON.
             * An empty map is an empty reading (proto3 cannot tell it from an absent one); the contract
             * check then reports the required fields that are missing.
             */
            data: { [k: string]: lanterne.v1.Value.$Properties };

            /**
             * Creates a new Reading instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Reading instance
             */
            static create(properties: lanterne.v1.Reading.$Shape): lanterne.v1.Reading & lanterne.v1.Reading.$Shape;
            static create(properties?: lanterne.v1.Reading.$Properties): lanterne.v1.Reading;

            /**
             * Encodes the specified Reading message. Does not implicitly {@link lanterne.v1.Reading.verify|verify} messages.
             * @param message Reading message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: lanterne.v1.Reading.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Reading message, length delimited. Does not implicitly {@link lanterne.v1.Reading.verify|verify} messages.
             * @param message Reading message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: lanterne.v1.Reading.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Reading message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {lanterne.v1.Reading & lanterne.v1.Reading.$Shape} Reading
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): lanterne.v1.Reading & lanterne.v1.Reading.$Shape;

            /**
             * Decodes a Reading message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {lanterne.v1.Reading & lanterne.v1.Reading.$Shape} Reading
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): lanterne.v1.Reading & lanterne.v1.Reading.$Shape;

            /**
             * Verifies a Reading message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Reading message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Reading
             */
            static fromObject(object: { [k: string]: any }): lanterne.v1.Reading;

            /**
             * Creates a plain object from a Reading message. Also converts values to other types if specified.
             * @param message Reading
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: lanterne.v1.Reading, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Reading to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Reading
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Reading {

            /** Properties of a Reading. */
            interface $Properties {

                /**
                 * The device id of the inventory (for example "lum-57038-0001"), 1 to 128 characters.
                 * May be left empty when the MQTT topic names the device
                 * (lanterne/{operator}/devices/{device}/readings/pb); when both are given they must be equal.
                 * As usual in proto3, an empty string and an absent field are the same thing.
                 */
                device?: (string|null);

                /**
                 * When the measurement was taken, in UTC. Leave it unset to use the reception time. A time
                 * more than 5 minutes after reception is refused (a device clock error). Precision below the
                 * millisecond is dropped.
                 */
                time?: (google.protobuf.Timestamp.$Properties|null);

                /**
                 * The measurements, by field name of the device's data contract (GET /api/v1/contracts):
                 * names, units, types, ranges and allowed values are the contract's, as for JSON.
                 * An empty map is an empty reading (proto3 cannot tell it from an absent one); the contract
                 * check then reports the required fields that are missing.
                 */
                data?: ({ [k: string]: lanterne.v1.Value.$Properties }|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Reading. */
            type $Shape = {
              device?: string|null;
              time?: google.protobuf.Timestamp.$Shape|null;
              data?: { [k: string]: lanterne.v1.Value.$Shape }|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a Value.
         * @deprecated Use lanterne.v1.Value.$Properties instead.
         */
        interface IValue extends lanterne.v1.Value.$Properties {
        }

        /**
         * One measured value: a number, a text or a boolean, as JSON allows. Exactly one must be set:
         * a Value with none set refuses the reading (ERR_PAYLOAD_PROTOBUF at data.<name>).
         */
        class Value {

            /**
             * Constructs a new Value.
             * @param [properties] Properties to set
             */
            constructor(properties?: lanterne.v1.Value.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Any finite number (integers included: 1 and 1.0 are the same value, as in JSON).
             * NaN and infinities cannot be written in JSON and are refused here too.
             */
            number?: (number|null);

            /** A text, for example an enumerated state such as "on" or "fault". */
            text?: (string|null);

            /** A boolean. */
            flag?: (boolean|null);

            /** Value kind. */
            kind?: ("number"|"text"|"flag");

            /**
             * Creates a new Value instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Value instance
             */
            static create(properties: lanterne.v1.Value.$Shape): lanterne.v1.Value & lanterne.v1.Value.$Shape;
            static create(properties?: lanterne.v1.Value.$Properties): lanterne.v1.Value;

            /**
             * Encodes the specified Value message. Does not implicitly {@link lanterne.v1.Value.verify|verify} messages.
             * @param message Value message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: lanterne.v1.Value.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Value message, length delimited. Does not implicitly {@link lanterne.v1.Value.verify|verify} messages.
             * @param message Value message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: lanterne.v1.Value.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Value message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {lanterne.v1.Value & lanterne.v1.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): lanterne.v1.Value & lanterne.v1.Value.$Shape;

            /**
             * Decodes a Value message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {lanterne.v1.Value & lanterne.v1.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): lanterne.v1.Value & lanterne.v1.Value.$Shape;

            /**
             * Verifies a Value message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Value message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Value
             */
            static fromObject(object: { [k: string]: any }): lanterne.v1.Value;

            /**
             * Creates a plain object from a Value message. Also converts values to other types if specified.
             * @param message Value
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: lanterne.v1.Value, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Value to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Value
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Value {

            /** Properties of a Value. */
            interface $Properties {

                /**
                 * Any finite number (integers included: 1 and 1.0 are the same value, as in JSON).
                 * NaN and infinities cannot be written in JSON and are refused here too.
                 */
                number?: (number|null);

                /** A text, for example an enumerated state such as "on" or "fault". */
                text?: (string|null);

                /** A boolean. */
                flag?: (boolean|null);

                /** Value kind */
                kind?: ("number"|"text"|"flag");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a Value. */
            type $Shape = {
              number?: number|null;
              text?: string|null;
              flag?: boolean|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ kind?: undefined; number?: null; text?: null; flag?: null }|{ kind?: "number"; number: number; text?: null; flag?: null }|{ kind?: "text"; number?: null; text: string; flag?: null }|{ kind?: "flag"; number?: null; text?: null; flag: boolean })
            );
        }
    }
}

/** Namespace google. */
export namespace google {

    /** Namespace protobuf. */
    namespace protobuf {

        /**
         * Properties of a Timestamp.
         * @deprecated Use google.protobuf.Timestamp.$Properties instead.
         */
        interface ITimestamp extends google.protobuf.Timestamp.$Properties {
        }

        /** Represents a Timestamp. */
        class Timestamp {

            /**
             * Constructs a new Timestamp.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.Timestamp.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Timestamp seconds. */
            seconds: (number|Long);

            /** Timestamp nanos. */
            nanos: number;

            /**
             * Creates a new Timestamp instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Timestamp instance
             */
            static create(properties: google.protobuf.Timestamp.$Shape): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;
            static create(properties?: google.protobuf.Timestamp.$Properties): google.protobuf.Timestamp;

            /**
             * Encodes the specified Timestamp message. Does not implicitly {@link google.protobuf.Timestamp.verify|verify} messages.
             * @param message Timestamp message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.Timestamp.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Timestamp message, length delimited. Does not implicitly {@link google.protobuf.Timestamp.verify|verify} messages.
             * @param message Timestamp message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: google.protobuf.Timestamp.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Timestamp message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape} Timestamp
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;

            /**
             * Decodes a Timestamp message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape} Timestamp
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;

            /**
             * Verifies a Timestamp message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Timestamp message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Timestamp
             */
            static fromObject(object: { [k: string]: any }): google.protobuf.Timestamp;

            /**
             * Creates a plain object from a Timestamp message. Also converts values to other types if specified.
             * @param message Timestamp
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: google.protobuf.Timestamp, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Timestamp to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Timestamp
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Timestamp {

            /** Properties of a Timestamp. */
            interface $Properties {

                /** Timestamp seconds */
                seconds?: (number|Long|null);

                /** Timestamp nanos */
                nanos?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Timestamp. */
            type $Shape = google.protobuf.Timestamp.$Properties;
        }
    }
}
