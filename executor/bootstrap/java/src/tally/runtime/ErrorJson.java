package tally.runtime;

import java.nio.charset.StandardCharsets;

/** Lambda's error JSON for Java (errorMessage, errorType, stackTrace, cause), written without a JSON library. */
final class ErrorJson {
  private ErrorJson() {}

  static byte[] of(Throwable error) {
    return write(error, error.getClass().getName(), messageOf(error), 0).getBytes(StandardCharsets.UTF_8);
  }

  /** An init failure: its own type and message, the stack of what caused it (if anything). */
  static byte[] of(String type, String message, Throwable cause) {
    if (cause == null) return ("{\"errorMessage\":" + quote(message) + ",\"errorType\":" + quote(type) + ",\"stackTrace\":[]}").getBytes(StandardCharsets.UTF_8);
    return write(cause, type, message, 0).getBytes(StandardCharsets.UTF_8);
  }

  private static String messageOf(Throwable error) {
    return error.getMessage() == null ? error.toString() : error.getMessage();
  }

  private static String write(Throwable error, String type, String message, int depth) {
    StringBuilder json = new StringBuilder(512);
    json.append("{\"errorMessage\":").append(quote(message));
    json.append(",\"errorType\":").append(quote(type)).append(",\"stackTrace\":[");
    StackTraceElement[] trace = error.getStackTrace();
    for (int i = 0; i < trace.length && i < 50; i++) json.append(i == 0 ? "" : ",").append(quote(trace[i].toString()));
    json.append(']');
    Throwable cause = error.getCause();
    if (cause != null && cause != error && depth < 5) json.append(",\"cause\":").append(write(cause, cause.getClass().getName(), messageOf(cause), depth + 1));
    return json.append('}').toString();
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
