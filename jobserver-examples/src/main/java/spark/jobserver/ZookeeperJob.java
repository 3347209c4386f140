package spark.jobserver;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Filters animals on the cluster and returns the ones whose name starts with {@code ho}:
 * {@code [["horse"]]}. Each {@link Animal} is a Scala product, like the original's case class, so it is
 * rendered as the array of its fields. Legacy style; reads no configuration.
 */
public final class ZookeeperJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return JavaSparkContext.fromSparkContext(sc)
                .parallelize(List.of(new Animal("dog"), new Animal("cat"), new Animal("horse")))
                .filter(animal -> animal.name().startsWith("ho"))
                .collect();
    }

    /** The original's {@code case class Animal(name: String)}. */
    public static final class Animal implements scala.Product, Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        public Animal(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public int productArity() {
            return 1;
        }

        @Override
        public Object productElement(int n) {
            if (n != 0) {
                throw new IndexOutOfBoundsException(n);
            }
            return name;
        }

        @Override
        public boolean canEqual(Object that) {
            return that instanceof Animal;
        }

        @Override
        public String toString() {
            return "Animal(" + name + ")";
        }
    }
}
