package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

class ResultJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The JSON text a client would see. */
    private static String json(Object value) throws Exception {
        return MAPPER.writeValueAsString(ResultJson.toJson(value));
    }

    @Test
    void nullIsNull() throws Exception {
        assertThat(json(null)).isEqualTo("null");
    }

    @Test
    void stringsAndCharactersAreStrings() throws Exception {
        assertThat(json("Hi!")).isEqualTo("\"Hi!\"");
        assertThat(json('c')).isEqualTo("\"c\"");
    }

    @Test
    void booleansAreBooleans() throws Exception {
        assertThat(json(true)).isEqualTo("true");
        assertThat(json(Boolean.FALSE)).isEqualTo("false");
    }

    @Test
    void everyNumberIsANumber() throws Exception {
        assertThat(json(42)).isEqualTo("42");
        assertThat(json(42L)).isEqualTo("42");
        assertThat(json(3.5d)).isEqualTo("3.5");
        assertThat(json(1.25f)).isEqualTo("1.25");
        assertThat(json((short) 7)).isEqualTo("7");
        assertThat(json((byte) -3)).isEqualTo("-3");
        assertThat(json(new BigDecimal("100.50"))).isEqualTo("100.50");
        assertThat(json(new BigDecimal("100"))).isEqualTo("100");
        assertThat(json(new BigInteger("123456789012345678901234567890"))).isEqualTo("123456789012345678901234567890");
        assertThat(json(new AtomicLong(9))).isEqualTo("9");
        assertThat(json(scala.math.BigDecimal$.MODULE$.apply(new BigDecimal("2.50"))))
                .isEqualTo("2.50");
        assertThat(json(scala.math.BigInt$.MODULE$.apply(12))).isEqualTo("12");
    }

    @Test
    void nonFiniteDoublesAreNamed() throws Exception {
        assertThat(json(Double.NaN)).isEqualTo("\"NaN\"");
        assertThat(json(Double.POSITIVE_INFINITY)).isEqualTo("\"Infinity\"");
        assertThat(json(Float.NEGATIVE_INFINITY)).isEqualTo("\"-Infinity\"");
    }

    @Test
    void javaMapsAreObjectsWithStringKeys() throws Exception {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("a", 2);
        map.put(1, List.of("x"));
        map.put(null, null);
        assertThat(json(map)).isEqualTo("{\"a\":2,\"1\":[\"x\"],\"null\":null}");
        assertThat(json(Map.of())).isEqualTo("{}");
    }

    @Test
    void scalaMapsAreObjects() throws Exception {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("a", 2);
        source.put("see", 1);
        scala.collection.immutable.Map<String, Object> map =
                scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(source));
        JsonNode node = ResultJson.toJson(map);
        assertThat(node.isObject()).isTrue();
        assertThat(MAPPER.writeValueAsString(node)).contains("\"a\":2").contains("\"see\":1");
        assertThat(json(scala.collection.immutable.Map$.MODULE$.empty())).isEqualTo("{}");
        // A mutable Scala map is a scala.collection.Map too.
        scala.collection.mutable.HashMap<Integer, String> mutable = new scala.collection.mutable.HashMap<>();
        mutable.put(1, "one");
        assertThat(json(mutable)).isEqualTo("{\"1\":\"one\"}");
    }

    @Test
    void symbolKeysAreTheirNamesAsInTheOriginal() throws Exception {
        Map<Object, Object> source = new LinkedHashMap<>();
        source.put(scala.Symbol$.MODULE$.apply("a"), 1);
        assertThat(json(source)).isEqualTo("{\"a\":1}");
        assertThat(json(scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(source))))
                .isEqualTo("{\"a\":1}");
    }

    @Test
    void javaCollectionsAndIterablesAreArrays() throws Exception {
        assertThat(json(List.of(1, "b", true))).isEqualTo("[1,\"b\",true]");
        assertThat(json(new LinkedHashSet<>(List.of(3, 1)))).isEqualTo("[3,1]");
        Iterable<Integer> iterable = () -> List.of(5, 6).iterator();
        assertThat(json(iterable)).isEqualTo("[5,6]");
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(json(withNull)).isEqualTo("[null]");
    }

    @Test
    void scalaListSeqAndSetAreArraysNotProducts() throws Exception {
        scala.collection.immutable.List<Object> list =
                CollectionConverters.asScala(List.<Object>of(2, 4, 6)).toList();
        assertThat(list).isInstanceOf(scala.Product.class); // why the order of the rules matters
        assertThat(json(list)).isEqualTo("[2,4,6]");
        assertThat(json(scala.collection.immutable.List$.MODULE$.empty())).isEqualTo("[]");
        assertThat(json(CollectionConverters.asScala(List.of("a", "b")).toSeq()))
                .isEqualTo("[\"a\",\"b\"]");
        assertThat(json(CollectionConverters.asScala(List.of(1)).toSet())).isEqualTo("[1]");
    }

    @Test
    void arraysOfAnyTypeAreArrays() throws Exception {
        assertThat(json(new int[] {2, 4, 6})).isEqualTo("[2,4,6]");
        assertThat(json(new byte[] {1, -1})).isEqualTo("[1,-1]");
        assertThat(json(new double[] {0.5})).isEqualTo("[0.5]");
        assertThat(json(new String[] {"a", null})).isEqualTo("[\"a\",null]");
        assertThat(json(new Object[] {new int[] {1}, List.of(2)})).isEqualTo("[[1],[2]]");
    }

    record Word(String word, long count, List<Integer> positions) {}

    private record Hidden(int secret) {}

    @Test
    void recordsAreObjectsByComponentName() throws Exception {
        assertThat(json(new Word("a", 2, List.of(0, 4)))).isEqualTo("{\"word\":\"a\",\"count\":2,\"positions\":[0,4]}");
        assertThat(json(new Hidden(7))).isEqualTo("{\"secret\":7}");
        assertThat(json(List.of(new Hidden(1)))).isEqualTo("[{\"secret\":1}]");
    }

    @Test
    void someIsAOneElementArrayAndNoneAnEmptyOne() throws Exception {
        assertThat(json(Option.apply("x"))).isEqualTo("[\"x\"]");
        assertThat(json(Option.empty())).isEqualTo("[]");
        assertThat(json(Option.apply(List.of(1)))).isEqualTo("[[1]]");
    }

    @Test
    void otherProductsAreArraysOfTheirElements() throws Exception {
        assertThat(json(new Tuple2<>("horse", 3))).isEqualTo("[\"horse\",3]");
        assertThat(json(List.of(new Tuple2<>("a", List.of("b"))))).isEqualTo("[[\"a\",[\"b\"]]]");
    }

    @Test
    void caseClassesAreArraysOfTheirFieldValues() throws Exception {
        assertThat(json(new TestJobs.Word("a", 2))).isEqualTo("[\"a\",2]");
        assertThat(json(Option.apply(new TestJobs.Word("b", 1)))).isEqualTo("[[\"b\",1]]");
    }

    enum Colour {
        RED
    }

    @Test
    void anythingElseIsItsToString() throws Exception {
        Object pojo = new Object() {
            @Override
            public String toString() {
                return "a pojo";
            }
        };
        assertThat(json(pojo)).isEqualTo("\"a pojo\"");
        assertThat(json(Colour.RED)).isEqualTo("\"RED\"");
        assertThat(json(List.of(pojo))).isEqualTo("[\"a pojo\"]");
    }

    @Test
    void pathsAreTheirNamesNotEndlessArrays() throws Exception {
        assertThat(json(Path.of("/tmp/data.txt"))).isEqualTo("\"/tmp/data.txt\"");
    }

    @Test
    void jacksonNodesAreKeptAsJson() throws Exception {
        assertThat(json(MAPPER.readTree("{\"a\":[1,{\"b\":null}]}"))).isEqualTo("{\"a\":[1,{\"b\":null}]}");
    }

    @Test
    void aResultContainingItselfFailsInsteadOfOverflowing() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> ResultJson.toJson(cycle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than");
    }

    @Test
    void wordCountShapeMatchesTheReference() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("a", 2L);
        counts.put("b", 2L);
        counts.put("c", 1L);
        counts.put("see", 1L);
        assertThat(json(counts)).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");
    }
}
