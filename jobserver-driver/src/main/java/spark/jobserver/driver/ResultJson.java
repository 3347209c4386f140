package spark.jobserver.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;

/**
 * Renders a job's result as JSON, following the original project's rules (JOB-API.md §5) with the
 * documented fixes: every {@link Number} is a JSON number, {@code byte[]} is an array of numbers, Java
 * records are objects by component name. Recursive; the first matching rule wins. Results that are
 * streams of bytes ({@code InputStream}, a Scala {@code Stream}) are not rendered: their bytes are sent
 * as they are ({@link ScalaByteStream}).
 */
final class ResultJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Deep enough for any sane result; a self-containing collection fails instead of overflowing the stack. */
    static final int MAX_DEPTH = 256;

    private ResultJson() {}

    /**
     * The JSON rendering of {@code value}.
     *
     * @throws IllegalArgumentException when the value nests deeper than {@link #MAX_DEPTH} (a cycle)
     */
    static JsonNode toJson(Object value) {
        return render(value, 0);
    }

    private static JsonNode render(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(
                    "the job's result nests deeper than " + MAX_DEPTH + " levels (does it contain itself?)");
        }
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String || value instanceof Character) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Number n) {
            return number(n);
        }
        // Not in the original's rules: a job that builds its result with Jackson means it as JSON, and
        // without this rule an ObjectNode (an Iterable of its values) would lose its field names.
        if (value instanceof JsonNode node) {
            return node.deepCopy();
        }
        // A Path is an Iterable of Paths whose single-element members iterate to themselves: render it
        // as the path it names, not as an endless array.
        if (value instanceof Path path) {
            return NODES.textNode(path.toString());
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                object.set(key(e.getKey()), render(e.getValue(), depth + 1));
            }
            return object;
        }
        // Scala maps and lists are Iterables and Products too: they must be matched before either.
        if (value instanceof scala.collection.Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            scala.collection.Iterator<? extends scala.Tuple2<?, ?>> it = map.iterator();
            while (it.hasNext()) {
                scala.Tuple2<?, ?> e = it.next();
                object.set(key(e._1()), render(e._2(), depth + 1));
            }
            return object;
        }
        if (value instanceof Iterable<?> iterable) {
            ArrayNode array = NODES.arrayNode();
            for (Object element : iterable) {
                array.add(render(element, depth + 1));
            }
            return array;
        }
        if (value instanceof scala.collection.Iterable<?> iterable) {
            return array(iterable.iterator(), depth);
        }
        if (value.getClass().isArray()) {
            ArrayNode array = NODES.arrayNode();
            int length = Array.getLength(value);
            for (int i = 0; i < length; i++) {
                array.add(render(Array.get(value, i), depth + 1));
            }
            return array;
        }
        if (value instanceof Record) {
            return record(value, depth);
        }
        if (value instanceof scala.Option<?> option) {
            ArrayNode array = NODES.arrayNode();
            if (option.isDefined()) {
                array.add(render(option.get(), depth + 1));
            }
            return array;
        }
        if (value instanceof scala.Product product) {
            return array(product.productIterator(), depth);
        }
        return NODES.textNode(value.toString());
    }

    /** A map key as the original wrote it: a Symbol by its name (Scala 2.13 prints it {@code Symbol(a)}), else its text. */
    private static String key(Object key) {
        return key instanceof scala.Symbol symbol ? symbol.name() : String.valueOf(key);
    }

    private static JsonNode number(Number n) {
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return NODES.numberNode(n.intValue());
        }
        if (n instanceof Long) {
            return NODES.numberNode(n.longValue());
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            // JSON has no NaN or infinities; their names are the least surprising rendering.
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return NODES.textNode(n.toString());
            }
            return n instanceof Float f ? NODES.numberNode(f) : NODES.numberNode(d);
        }
        // DecimalNode directly: the factory would strip trailing zeros and print 100 as 1E+2.
        if (n instanceof BigDecimal d) {
            return new DecimalNode(d);
        }
        if (n instanceof BigInteger i) {
            return new BigIntegerNode(i);
        }
        if (n instanceof scala.math.BigDecimal d) {
            return new DecimalNode(d.bigDecimal());
        }
        if (n instanceof scala.math.BigInt i) {
            return new BigIntegerNode(i.bigInteger());
        }
        // AtomicLong, LongAdder and other Numbers: exact through their decimal text when possible.
        try {
            return new DecimalNode(new BigDecimal(n.toString()));
        } catch (NumberFormatException e) {
            return NODES.numberNode(n.doubleValue());
        }
    }

    private static ArrayNode array(scala.collection.Iterator<?> it, int depth) {
        ArrayNode array = NODES.arrayNode();
        while (it.hasNext()) {
            array.add(render(it.next(), depth + 1));
        }
        return array;
    }

    private static JsonNode record(Object value, int depth) {
        ObjectNode object = NODES.objectNode();
        for (RecordComponent component : value.getClass().getRecordComponents()) {
            var accessor = component.getAccessor();
            // Records declared inside a job class are often not public; their accessors still are ours to call.
            accessor.trySetAccessible();
            Object field;
            try {
                field = accessor.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // An accessor we cannot call (a module boundary) or one that throws: keep the original's
                // fallback for objects we cannot look into.
                return NODES.textNode(value.toString());
            }
            object.set(component.getName(), render(field, depth + 1));
        }
        return object;
    }
}
