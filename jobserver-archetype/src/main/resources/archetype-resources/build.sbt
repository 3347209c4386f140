// The sbt build of this project: the same dependencies, versions and source layout as pom.xml.
// `sbt test` runs the tests in src/test, `sbt package` leaves the job jar in target/scala-@scala.binary.version@/.
organization := "${groupId}"
name := "${artifactId}"
version := "${version}"
scalaVersion := "@scala.version@"

javacOptions ++= Seq("--release", "17")
scalacOptions ++= Seq("-release", "17", "-deprecation", "-feature")

// Until jobserver-api is published: `mvn install` in a checkout of the server puts it in ~/.m2.
resolvers += Resolver.mavenLocal

val jobserverVersion = "@project.version@"
val sparkVersion = "@spark.version@"

// All provided: the context a job runs in has them, so they stay out of the jar.
libraryDependencies ++= Seq(
  "io.github.sparkjobserver" % "jobserver-api" % jobserverVersion % "provided",
  "org.apache.spark" %% "spark-core" % sparkVersion % "provided",
  "org.apache.spark" %% "spark-sql" % sparkVersion % "provided",
  "org.junit.jupiter" % "junit-jupiter" % "@junit.version@" % Test
)

// The tests start a local Spark: in a JVM of their own, with the modules Spark needs opened on JDK 17.
Test / fork := true
Test / envVars := Map("SPARK_LOCAL_IP" -> "127.0.0.1")
Test / javaOptions ++= Seq(
  "-Xmx1g",
  "-XX:+IgnoreUnrecognizedVMOptions",
  "--add-modules=jdk.incubator.vector",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
  "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
  "-Djdk.reflect.useDirectMethodHandle=false",
  "-Dio.netty.tryReflectionSetAccessible=true"
)
