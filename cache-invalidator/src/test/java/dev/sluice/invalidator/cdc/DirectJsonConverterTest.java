package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class DirectJsonConverterTest {

    private static final Map<String, String> SCHEMALESS = Map.of("schemas.enable", "false");

    private static final Schema ROW = SchemaBuilder.struct().name("sluice.public.pages.Value")
            .field("id", Schema.STRING_SCHEMA)
            .field("version", Schema.INT64_SCHEMA)
            .field("site", Schema.OPTIONAL_STRING_SCHEMA)
            .field("deleted", Schema.BOOLEAN_SCHEMA)
            .field("status", Schema.OPTIONAL_INT16_SCHEMA)
            .field("depth", Schema.OPTIONAL_INT8_SCHEMA)
            .field("links", Schema.OPTIONAL_INT32_SCHEMA)
            .field("score", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("weight", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("fetched_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("body", Schema.OPTIONAL_STRING_SCHEMA)
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .field("priority", SchemaBuilder.int32().defaultValue(5).build())
            .optional().build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("table", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("sluice.public.pages.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    private static final Schema KEY = SchemaBuilder.struct().name("sluice.public.pages.Key").field("id", Schema.STRING_SCHEMA).build();

    @Test
    void writesTheBytesJsonConverterWrites() {
        Struct after = new Struct(ROW).put("id", "a1b2").put("version", 1_733_000_000_123L).put("site", "example.org")
                .put("deleted", false).put("status", (short) 200).put("depth", (byte) 3).put("links", 42).put("score", 0.1 + 0.2)
                .put("weight", 1.5f).put("fetched_at", "2026-12-05T20:00:00.123456Z")
                .put("body", "<html lang=\"fr\">Ça « marche » \\ / \u0000\u001f\t\n émoji 😀 ﷽ </script></html>")
                .put("raw", new byte[] {0, 1, 2, (byte) 0xff}).put("tags", List.of("news", "fr"));
        Struct event = new Struct(ENVELOPE).put("after", after)
                .put("source", new Struct(SOURCE).put("table", "pages").put("ts_ms", 1_733_000_000_000L))
                .put("op", "u").put("ts_ms", 1_733_000_000_456L);

        assertThat(direct(false).fromConnectData("t", ENVELOPE, event)).asString()
                .isEqualTo(new String(reference(false).fromConnectData("t", ENVELOPE, event)))
                .contains("\"before\":null", "\"priority\":5", "\"lsn\":null");
        Struct key = new Struct(KEY).put("id", "a1b2");
        assertThat(direct(true).fromConnectData("t", KEY, key)).isEqualTo(reference(true).fromConnectData("t", KEY, key))
                .asString().isEqualTo("{\"id\":\"a1b2\"}");
    }

    @Test
    void keepsANullOverADefaultWhenToldToAsJsonConverterDoes() {
        Schema withDefault = SchemaBuilder.struct().field("priority", SchemaBuilder.int32().optional().defaultValue(5).build()).build();
        Struct unset = new Struct(withDefault);
        Map<String, String> keepNulls = Map.of("schemas.enable", "false", "replace.null.with.default", "false");
        DirectJsonConverter direct = new DirectJsonConverter();
        direct.configure(keepNulls, false);
        JsonConverter reference = new JsonConverter();
        reference.configure(keepNulls, false);

        assertThat(direct.fromConnectData("t", withDefault, unset)).asString()
                .isEqualTo(new String(reference.fromConnectData("t", withDefault, unset)));
        assertThat(direct(false).fromConnectData("t", withDefault, unset)).asString()
                .isEqualTo(new String(reference(false).fromConnectData("t", withDefault, unset))).isEqualTo("{\"priority\":5}");
    }

    @Test
    void leavesToJsonConverterWhatItHasNoRuleFor() {
        Schema withDecimal = SchemaBuilder.struct().field("price", Decimal.schema(2)).field("blob", Schema.BYTES_SCHEMA).build();
        Struct row = new Struct(withDecimal).put("price", new BigDecimal("12.34")).put("blob", ByteBuffer.wrap(new byte[] {7, 8}));
        assertThat(direct(false).fromConnectData("t", withDecimal, row)).isEqualTo(reference(false).fromConnectData("t", withDecimal, row));

        Map<String, Object> schemaless = Map.of("id", "x", "n", 1L);
        assertThat(direct(false).fromConnectData("t", null, schemaless)).isEqualTo(reference(false).fromConnectData("t", null, schemaless));
        assertThat(direct(false).fromConnectData("t", null, null)).isNull(); // the tombstone after a delete
    }

    @Test
    void writesSchemasWhenAskedToAsJsonConverterDoes() {
        Struct key = new Struct(KEY).put("id", "a1b2");
        DirectJsonConverter withSchemas = new DirectJsonConverter();
        withSchemas.configure(Map.of("schemas.enable", "true"), true);
        JsonConverter reference = new JsonConverter();
        reference.configure(Map.of("schemas.enable", "true"), true);
        assertThat(withSchemas.fromConnectData("t", KEY, key)).isEqualTo(reference.fromConnectData("t", KEY, key));
    }

    @Test
    void refusesAMissingRequiredValueAsJsonConverterDoes() {
        Schema required = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
        Struct incomplete = new Struct(required);
        assertThatThrownBy(() -> direct(false).fromConnectData("t", required, incomplete)).isInstanceOf(DataException.class)
                .hasMessageContaining("null value for field that is required");
    }

    private static DirectJsonConverter direct(boolean isKey) {
        DirectJsonConverter converter = new DirectJsonConverter();
        converter.configure(SCHEMALESS, isKey);
        return converter;
    }

    private static JsonConverter reference(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(SCHEMALESS, isKey);
        return converter;
    }
}
