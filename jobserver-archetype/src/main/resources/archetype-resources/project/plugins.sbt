// Runs the JUnit 5 tests of src/test (sbt runs JUnit 4 and ScalaTest by itself, not JUnit 5).
addSbtPlugin("com.github.sbt.junit" % "sbt-jupiter-interface" % "0.17.0")
