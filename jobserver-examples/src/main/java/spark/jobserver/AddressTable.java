package spark.jobserver;

import org.apache.spark.sql.SparkSession;

/**
 * The table the loader jobs build: {@code test_addresses} with three rows, as a Parquet data-source
 * table, which works with the session's in-memory catalog and with Hive alike.
 */
final class AddressTable {
    private AddressTable() {}

    /** (Re)creates the table and returns its row count. */
    static long load(SparkSession spark) {
        spark.sql("DROP TABLE IF EXISTS test_addresses");
        spark.sql(
                "CREATE TABLE test_addresses (firstName STRING, lastName STRING, address STRING, city STRING) USING parquet");
        spark.sql("INSERT INTO test_addresses VALUES"
                + " ('Bob', 'Charles', '101 A St.', 'San Jose'),"
                + " ('Sandy', 'Charles', '10200 Ranch Rd.', 'Purple City'),"
                + " ('Randy', 'Charles', '101 A St.', 'San Jose')");
        return spark.sql("SELECT * FROM test_addresses").count();
    }
}
