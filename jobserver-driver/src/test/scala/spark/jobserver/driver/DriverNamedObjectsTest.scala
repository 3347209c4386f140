package spark.jobserver.driver

import java.time.Duration
import java.util.concurrent.{Callable, CancellationException, CountDownLatch, ExecutionException, ExecutorService, Executors, Future, TimeUnit, TimeoutException}
import java.util.concurrent.atomic.{AtomicBoolean, AtomicInteger, AtomicReference}

import scala.concurrent.duration._
import scala.jdk.CollectionConverters._

import org.junit.jupiter.api.Assertions.{assertEquals, assertNotNull, assertSame, assertThrows, assertTrue}
import org.junit.jupiter.api.{AfterEach, Test}
import spark.jobserver.{NamedObjectPersister, NamedObjects}
import spark.jobserver.common.NamedThreads
import spark.jobserver.driver.TestJobs.{Box, BoxPersister}

/** The driver's named objects through the Scala API jobs use: implicit timeouts and persisters, by-name generators. */
class DriverNamedObjectsTest {
  private val objects: NamedObjects = new DriverNamedObjects(Duration.ofSeconds(5), java.time.Clock.systemUTC())
  private val pool: ExecutorService = Executors.newCachedThreadPool(NamedThreads.daemon("named-objects-test"))

  @AfterEach
  def stopPool(): Unit = pool.shutdownNow()

  private def submit[T](body: => T): Future[T] = pool.submit(new Callable[T] { override def call(): T = body })

  private def names: Seq[String] = objects.getNames().toSeq

  /** What a task failed with. */
  private def failureOf(task: Future[_]): Throwable =
    assertThrows(classOf[ExecutionException], () => task.get(5, TimeUnit.SECONDS)).getCause

  @Test
  def theDefaultTimeoutIsTheServersSetting(): Unit = {
    assertEquals(5.seconds, objects.defaultTimeout)
    assertEquals(1500.millis, new DriverNamedObjects(Duration.ofMillis(1500), java.time.Clock.systemUTC()).defaultTimeout)
  }

  @Test
  def concurrentCallersCreateOnceAndShareTheObject(): Unit = {
    implicit val persister: BoxPersister = new BoxPersister
    val generated = new AtomicInteger()
    val start = new CountDownLatch(1)
    val callers = (1 to 16).map { _ =>
      submit {
        start.await()
        objects.getOrElseCreate("rdd", {
          generated.incrementAndGet()
          Thread.sleep(100)
          Box(42)
        })
      }
    }
    start.countDown()
    val first = callers.head.get(10, TimeUnit.SECONDS)
    for (caller <- callers) assertSame(first, caller.get(10, TimeUnit.SECONDS))
    assertEquals(1, generated.get)
    assertEquals(1, persister.persisted.get)
    assertEquals(Seq("rdd"), names)
  }

  @Test
  def waitersGiveUpAfterTheTimeout(): Unit = {
    implicit val persister: NamedObjectPersister[Box] = new BoxPersister
    val creating = new CountDownLatch(1)
    val release = new CountDownLatch(1)
    val creator = submit {
      objects.getOrElseCreate("slow", {
        creating.countDown()
        release.await(10, TimeUnit.SECONDS)
        Box(1)
      })
    }
    assertTrue(creating.await(5, TimeUnit.SECONDS))

    locally {
      // The job's own implicit timeout wins over the default; TimeoutException as in the original.
      implicit val timeout: FiniteDuration = 100.millis
      val timedOut = assertThrows(classOf[TimeoutException], () => objects.getOrElseCreate("slow", Box(2)))
      assertEquals(
        "Timed out after 100 milliseconds waiting for named object 'slow' to be created by another job",
        timedOut.getMessage)
      assertThrows(classOf[TimeoutException], () => objects.get[Box]("slow"))
    }
    // A name still being created is not listed yet, but get waits for it.
    assertEquals(Seq(), names)
    val getter = submit(objects.get[Box]("slow"))

    release.countDown()
    assertEquals(1, creator.get(5, TimeUnit.SECONDS).value)
    assertEquals(Some(Box(1)), getter.get(5, TimeUnit.SECONDS))
  }

  @Test
  def aFailedCreationFreesTheNameAndFailsItsWaiters(): Unit = {
    implicit val persister: NamedObjectPersister[Box] = new BoxPersister
    val creating = new CountDownLatch(1)
    val release = new CountDownLatch(1)
    val creator = submit {
      objects.getOrElseCreate[Box]("bad", {
        creating.countDown()
        release.await(10, TimeUnit.SECONDS)
        throw new IllegalStateException("no data")
      })
    }
    assertTrue(creating.await(5, TimeUnit.SECONDS))
    val waiterThread = new AtomicReference[Thread]()
    val waiter = submit {
      waiterThread.set(Thread.currentThread())
      objects.getOrElseCreate("bad", Box(2))
    }
    awaitParked(waiterThread)
    release.countDown()

    assertEquals(classOf[IllegalStateException], failureOf(creator).getClass)
    val waited = failureOf(waiter)
    assertEquals(classOf[DriverNamedObjects.CreationFailedException], waited.getClass)
    assertEquals("Creating named object 'bad' failed: java.lang.IllegalStateException: no data", waited.getMessage)
    assertEquals(None, objects.get[Box]("bad"))
    assertEquals(3, objects.getOrElseCreate("bad", Box(3)).value)
  }

  @Test
  def getFindsOnlyWhatIsStored(): Unit = {
    implicit val persister: NamedObjectPersister[Box] = new BoxPersister
    assertEquals(None, objects.get[Box]("none"))
    objects.getOrElseCreate("one", Box(1))
    assertEquals(Some(Box(1)), objects.get[Box]("one"))
  }

  @Test
  def updateReplacesWithoutUnpersisting(): Unit = {
    implicit val persister: BoxPersister = new BoxPersister
    objects.getOrElseCreate("x", Box(1))
    val updated = objects.update("x", Box(2))
    assertEquals(Box(2), updated)
    assertEquals(Some(Box(2)), objects.get[Box]("x"))
    assertEquals(2, persister.persisted.get)
    assertTrue(persister.unpersisted.isEmpty)
  }

  @Test
  def forgetKeepsTheObjectAndDestroyUnpersistsIt(): Unit = {
    implicit val persister: BoxPersister = new BoxPersister
    val a = objects.getOrElseCreate("a", Box(1))
    val b = objects.getOrElseCreate("b", Box(2))
    assertEquals(Seq("a", "b"), names)

    objects.forget("a")
    assertEquals(Seq("b"), names)
    assertTrue(persister.unpersisted.isEmpty)

    objects.destroy(b, "b")
    assertEquals(Seq(), names)
    assertEquals(Seq(b), persister.unpersisted.asScala.toSeq)
    assertNotNull(a)
  }

  @Test
  def destroyUnpersistsWhatTheNameHoldsNowAndNothingForAnUnknownName(): Unit = {
    implicit val persister: BoxPersister = new BoxPersister
    val old = objects.getOrElseCreate("c", Box(1))
    val current = objects.update("c", Box(2))
    // The object given only says which type: what is stored under the name is unpersisted.
    objects.destroy(old, "c")
    assertEquals(Seq(current), persister.unpersisted.asScala.toSeq)
    assertEquals(Seq(), names)

    objects.destroy(Box(3), "never-stored")
    assertEquals(Seq(current), persister.unpersisted.asScala.toSeq)
  }

  @Test
  def aGeneratorReturningNullIsAnError(): Unit = {
    implicit val persister: NamedObjectPersister[Box] = new BoxPersister
    val thrown = assertThrows(classOf[NullPointerException], () => objects.getOrElseCreate[Box]("n", null))
    assertEquals("the generator of named object 'n' returned null", thrown.getMessage)
    assertEquals(Seq(), names)
  }

  @Test
  def anInterruptedWaiterStopsWaitingAndKeepsItsInterrupt(): Unit = {
    implicit val persister: NamedObjectPersister[Box] = new BoxPersister
    val creating = new CountDownLatch(1)
    val release = new CountDownLatch(1)
    submit(objects.getOrElseCreate("held", { creating.countDown(); release.await(10, TimeUnit.SECONDS); Box(1) }))
    assertTrue(creating.await(5, TimeUnit.SECONDS))
    val waiterThread = new AtomicReference[Thread]()
    val interruptKept = new AtomicBoolean()
    val waiter = submit {
      waiterThread.set(Thread.currentThread())
      try objects.getOrElseCreate("held", Box(2))
      finally interruptKept.set(Thread.currentThread().isInterrupted)
    }
    awaitParked(waiterThread)
    waiterThread.get.interrupt()
    val failure = failureOf(waiter)
    assertEquals(classOf[CancellationException], failure.getClass)
    assertEquals("interrupted while waiting for named object 'held'", failure.getMessage)
    assertTrue(interruptKept.get)
    release.countDown()
  }

  /** Waits until the thread is blocked waiting for another caller's creation. */
  private def awaitParked(thread: AtomicReference[Thread]): Unit = {
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
    while (thread.get == null || thread.get.getState != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, "waiting for the waiter to park")
      Thread.sleep(5)
    }
  }
}
