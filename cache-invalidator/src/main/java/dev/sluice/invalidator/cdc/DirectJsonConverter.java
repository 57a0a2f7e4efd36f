package dev.sluice.invalidator.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.ConverterConfig;
import org.apache.kafka.connect.storage.ConverterType;

/**
 * Kafka Connect's {@link JsonConverter} without schemas, written straight to bytes: the same bytes (the same Jackson
 * generator its object mapper uses, the same field order and rules for nulls, defaults, numbers and binary values),
 * without first building every event as a tree of nodes and looking each value's schema name up in a map. In a
 * profile of the change feed that tree was 15 % of the invalidator's CPU. Debezium's engine runs this as its key and
 * value converter ({@code converter.class}) on its conversion threads; whatever it has no rule for (schemas on, the
 * logical types JsonConverter rewrites, maps, buffers, values without a schema) goes to JsonConverter itself.
 */
public final class DirectJsonConverter implements Converter {

    private static final JsonFactory JSON = new JsonFactory();
    /** The logical types JsonConverter converts by name rather than by their physical type. */
    private static final Set<String> REWRITTEN_LOGICAL_TYPES = Set.of(Decimal.LOGICAL_NAME, Date.LOGICAL_NAME, Time.LOGICAL_NAME,
            Timestamp.LOGICAL_NAME);

    private final JsonConverter fallback = new JsonConverter();
    private boolean schemasEnabled;
    private boolean replaceNullWithDefault;

    /** Thrown (without a stack) where this converter has no rule: the record goes to JsonConverter instead. */
    private static final class NoRule extends RuntimeException {
        private static final NoRule INSTANCE = new NoRule();

        private NoRule() {
            super(null, null, false, false);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        fallback.configure(configs, isKey);
        Map<String, Object> typed = new HashMap<>(configs);
        typed.put(ConverterConfig.TYPE_CONFIG, (isKey ? ConverterType.KEY : ConverterType.VALUE).getName());
        JsonConverterConfig config = new JsonConverterConfig(typed);
        schemasEnabled = config.schemasEnabled();
        replaceNullWithDefault = config.replaceNullWithDefault();
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (schemasEnabled || schema == null || value == null) {
            return fallback.fromConnectData(topic, schema, value);
        }
        try (ByteArrayBuilder out = new ByteArrayBuilder(JSON._getBufferRecycler(), 4096)) {
            try (JsonGenerator generator = JSON.createGenerator(out)) {
                write(generator, schema, value);
            }
            return out.toByteArray();
        } catch (NoRule e) {
            return fallback.fromConnectData(topic, schema, value);
        } catch (IOException e) {
            throw new DataException("Could not write a change event as JSON", e);
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        return fallback.toConnectData(topic, value);
    }

    private void write(JsonGenerator out, Schema schema, Object value) throws IOException {
        if (value == null) {
            if (schema.defaultValue() != null && replaceNullWithDefault) {
                write(out, schema, schema.defaultValue());
            } else if (schema.isOptional()) {
                out.writeNull();
            } else {
                throw new DataException("Conversion error: null value for field that is required and has no default value");
            }
            return;
        }
        if (schema.name() != null && REWRITTEN_LOGICAL_TYPES.contains(schema.name())) {
            throw NoRule.INSTANCE;
        }
        switch (schema.type()) {
            case STRING -> out.writeString(((CharSequence) value).toString());
            case INT64 -> out.writeNumber((Long) value);
            case INT32 -> out.writeNumber((Integer) value);
            case INT16 -> out.writeNumber((Short) value);
            case INT8 -> out.writeNumber((Byte) value);
            case BOOLEAN -> out.writeBoolean((Boolean) value);
            case FLOAT64 -> out.writeNumber((Double) value);
            case FLOAT32 -> out.writeNumber((Float) value);
            case BYTES -> {
                if (!(value instanceof byte[] bytes)) {
                    throw NoRule.INSTANCE; // a ByteBuffer: JsonConverter writes its backing array
                }
                out.writeBinary(bytes);
            }
            case STRUCT -> writeStruct(out, schema, (Struct) value);
            case ARRAY -> {
                out.writeStartArray();
                for (Object element : (List<?>) value) {
                    write(out, schema.valueSchema(), element);
                }
                out.writeEndArray();
            }
            default -> throw NoRule.INSTANCE; // MAP: JsonConverter's shape depends on the keys' schema
        }
    }

    private void writeStruct(JsonGenerator out, Schema schema, Struct struct) throws IOException {
        if (struct.schema() != schema && !struct.schema().equals(schema)) {
            throw new DataException("Mismatching schema.");
        }
        out.writeStartObject();
        for (Field field : schema.fields()) {
            out.writeFieldName(field.name());
            // get(field) reads by index but puts the default in for a null; JsonConverter leaves that to its setting
            boolean keepNull = !replaceNullWithDefault && field.schema().defaultValue() != null;
            write(out, field.schema(), keepNull ? struct.getWithoutDefault(field.name()) : struct.get(field));
        }
        out.writeEndObject();
    }
}
