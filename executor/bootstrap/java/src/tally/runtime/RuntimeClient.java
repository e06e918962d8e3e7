package tally.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection to the Runtime API, reopened if it drops. Inside Tally's
 * sandbox the same Runtime API is also a unix socket: one hop less per invocation than the TCP
 * forwarder that AWS_LAMBDA_RUNTIME_API names (which any other runtime uses). Written by hand:
 * java.net.http costs tens of milliseconds of class loading on every cold start.
 */
final class RuntimeClient {
  static final String PREFIX = "/2018-06-01/runtime";
  private static final Path SOCKET = Path.of("/run/tally/runtime-api.sock");

  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private final String host;
  private final int port;
  private InputStream in;
  private OutputStream out;
  private AutoCloseable connection;

  RuntimeClient(String address) {
    int colon = address.lastIndexOf(':');
    host = colon < 0 ? address : address.substring(0, colon);
    port = colon < 0 ? 80 : Integer.parseInt(address.substring(colon + 1));
  }

  Response request(String method, String path, byte[] body, Map<String, String> headers) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (connection == null) connect();
        send(method, PREFIX + path, body, headers);
        return read();
      } catch (IOException e) {
        close();
        if (attempt == 1) throw e;
      }
    }
  }

  private void connect() throws IOException {
    if (Files.exists(SOCKET)) {
      SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(SOCKET));
      connection = channel;
      in = new BufferedInputStream(Channels.newInputStream(channel), 65536);
      out = Channels.newOutputStream(channel);
    } else {
      Socket socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      connection = socket;
      in = new BufferedInputStream(socket.getInputStream(), 65536);
      out = socket.getOutputStream();
    }
  }

  private void close() {
    try {
      if (connection != null) connection.close();
    } catch (Exception ignored) {
      // already gone
    }
    connection = null;
  }

  private void send(String method, String path, byte[] body, Map<String, String> headers) throws IOException {
    StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: runtime\r\n");
    for (Map.Entry<String, String> h : headers.entrySet()) head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[headBytes.length + (body == null ? 0 : body.length)];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    if (body != null) System.arraycopy(body, 0, all, headBytes.length, body.length);
    out.write(all);
    out.flush();
  }

  private Response read() throws IOException {
    String status = line();
    int code = Integer.parseInt(status.split(" ", 3)[1]);
    Map<String, String> headers = new HashMap<>();
    for (String l = line(); !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      if (colon > 0) headers.put(l.substring(0, colon).trim().toLowerCase(), l.substring(colon + 1).trim());
    }
    byte[] body;
    if (headers.getOrDefault("transfer-encoding", "").contains("chunked")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0; size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
        all.write(in.readNBytes(size));
        line();
      }
      line();
      body = all.toByteArray();
    } else {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = in.readNBytes(length);
      if (body.length < length) throw new EOFException("the Runtime API closed the connection");
    }
    return new Response(code, headers, body);
  }

  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) throw new EOFException("the Runtime API closed the connection");
      if (b != '\r') bytes.write(b);
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }
}
