package spark.jobserver.driver;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/**
 * The server's side of the driver WebSocket, just enough of RFC 6455 for tests: challenges each
 * connection, checks the answer, then records what the driver sends and lets the test send messages and
 * break the connection. While "down", it closes every new connection at once.
 */
final class FakeServer implements AutoCloseable {
    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final String contextId;
    private final String secret;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final NamedThreads connectionThreads = NamedThreads.daemon("fake-server-connection");
    private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Connection current;
    private volatile boolean down;
    private volatile boolean acking = true;
    private volatile java.util.List<String> servers = java.util.List.of();
    private volatile boolean closed;

    FakeServer(String contextId, String secret) throws IOException {
        this.contextId = contextId;
        this.secret = secret;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = NamedThreads.daemon("fake-server-acceptor").newThread(this::acceptLoop);
        this.acceptor.start();
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + serverSocket.getLocalPort() + "/driver/ws");
    }

    /** The next message the driver sent after authenticating, or null after {@code timeout}. */
    Message next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message that is not a heartbeat or a progress report (both sent on a schedule). */
    Message nextNonHeartbeat(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Message m = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (m == null || !(m instanceof Message.Heartbeat || m instanceof Message.JobProgress)) {
                return m;
            }
        }
    }

    /** How many connections the server accepted (authenticated). */
    int acceptedConnections() {
        return accepted.get();
    }

    boolean isConnected() {
        Connection c = current;
        return c != null && !c.socket.isClosed();
    }

    void send(Message message) throws IOException {
        Connection c = current;
        if (c == null) {
            throw new IOException("no driver connected");
        }
        c.writeFrame(1, Messages.toJson(message).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether job events are acknowledged as the real server does once they are recorded (by default). */
    void setAcking(boolean acking) {
        this.acking = acking;
    }

    /** The servers' base URLs this server announces when it accepts a driver. */
    void announceServers(java.util.List<String> urls) {
        this.servers = java.util.List.copyOf(urls);
    }

    /** While down, connections are refused after the TCP accept; the driver sees a failed handshake. */
    void setDown(boolean down) {
        this.down = down;
    }

    /** Breaks the current connection without a close frame, as a crashing server would. */
    void dropConnection() throws IOException {
        Connection c = current;
        if (c != null && !c.socket.isClosed()) {
            // a reset, which the driver's socket sees at once, rather than a FIN it may read only later
            try {
                c.socket.setSoLinger(true, 0);
            } catch (java.net.SocketException e) {
                // closed meanwhile by its reader
            }
            c.socket.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        dropConnection();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                if (down) {
                    socket.close();
                    continue;
                }
                connectionThreads.newThread(() -> serve(socket)).start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Connection c = new Connection(socket);
            c.upgrade();
            String nonce = DriverAuth.randomToken();
            c.writeFrame(1, Messages.toJson(new Message.Challenge(nonce)).getBytes(StandardCharsets.UTF_8));
            while (true) {
                String text = c.readMessage();
                if (text == null) {
                    return;
                }
                Message m = Messages.fromJson(text);
                if (m instanceof Message.Authenticate auth) {
                    if (!auth.contextId().equals(contextId) || !DriverAuth.verify(secret, nonce, auth.mac())) {
                        c.writeFrame(8, new byte[] {0x03, (byte) 0xF0}); // 1008 policy violation
                        return;
                    }
                    current = c;
                    accepted.incrementAndGet();
                    c.writeFrame(
                            1,
                            Messages.toJson(new Message.Accepted(false, servers))
                                    .getBytes(StandardCharsets.UTF_8));
                } else {
                    received.add(m);
                    if (acking && m instanceof Message.JobEvent event) {
                        c.writeFrame(1, Messages.toJson(Message.Acked.of(event)).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    private static final class Connection {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void upgrade() throws IOException {
            String key = null;
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0
                        && line.substring(0, colon)
                                .trim()
                                .toLowerCase(Locale.ROOT)
                                .equals("sec-websocket-key")) {
                    key = line.substring(colon + 1).trim();
                }
            }
            if (key == null) {
                throw new IOException("not a WebSocket upgrade");
            }
            String accept;
            try {
                accept = Base64.getEncoder()
                        .encodeToString(MessageDigest.getInstance("SHA-1")
                                .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
            String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
            synchronized (this) {
                out.write(response.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }

        /** The next complete text message, or null when the peer closed. */
        String readMessage() throws IOException {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0;
                try {
                    b0 = in.readUnsignedByte();
                } catch (EOFException e) {
                    return null;
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
                byte[] payload = in.readNBytes((int) length);
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                }
                switch (opcode) {
                    case 8 -> {
                        writeFrame(8, payload);
                        return null;
                    }
                    case 9 -> writeFrame(10, payload);
                    case 10 -> {}
                    default -> {
                        message.write(payload);
                        if (fin) {
                            return message.toString(StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        }

        synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
            out.write(0x80 | opcode);
            if (payload.length < 126) {
                out.write(payload.length);
            } else if (payload.length < 65536) {
                out.write(126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xFF);
            } else {
                out.write(127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (((long) payload.length >>> shift) & 0xFF));
                }
            }
            out.write(payload);
            out.flush();
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (c == -1 && line.length() == 0) {
                throw new EOFException();
            }
            return line.toString();
        }
    }
}
