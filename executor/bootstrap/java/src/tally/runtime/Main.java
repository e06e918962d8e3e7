package tally.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tally's Java runtime: loads the handler and loops over the Lambda Runtime API. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    RuntimeClient client = new RuntimeClient(env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"));
    Path taskRoot = Path.of(env("LAMBDA_TASK_ROOT", "."));
    Path runtimeDir = Path.of(env("LAMBDA_RUNTIME_DIR", "."));
    Invoker invoker;
    try {
      invoker = Invoker.load(env("_HANDLER", ""), taskRoot, runtimeDir);
    } catch (Invoker.InitError e) {
      initError(client, e.type, e.getMessage(), e.getCause());
      return;
    } catch (Throwable e) {
      initError(client, e.getClass().getName(), String.valueOf(e.getMessage()), e);
      return;
    }
    try {
      loop(client, invoker);
    } catch (IOException e) {
      System.exit(1); // the executor is gone
    }
  }

  private static void loop(RuntimeClient client, Invoker invoker) throws IOException {
    RuntimeClient.Response next = null;
    while (true) {
      if (next == null || next.status() != 200) next = client.request("GET", "/invocation/next", null, Map.of());
      if (next.status() != 200) {
        next = null;
        continue;
      }
      String requestId = next.header("lambda-runtime-aws-request-id");
      String deadline = next.header("lambda-runtime-deadline-ms");
      LambdaContext context = new LambdaContext(requestId, next.header("lambda-runtime-invoked-function-arn"), deadline == null ? 0 : Long.parseLong(deadline));
      String trace = next.header("lambda-runtime-trace-id");
      if (trace != null) System.setProperty("com.amazonaws.xray.traceHeader", trace);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      // Tally's Runtime API then answers with the next event: one round trip per invocation.
      headers.put("X-Tally-Then-Next", "1");
      byte[] body;
      String path;
      try {
        body = invoker.invoke(next.body(), context);
        path = "/invocation/" + requestId + "/response";
      } catch (Throwable error) {
        body = ErrorJson.of(error);
        path = "/invocation/" + requestId + "/error";
        headers.put("Lambda-Runtime-Function-Error-Type", error.getClass().getName());
        System.err.println(new String(body, StandardCharsets.UTF_8));
      }
      System.out.flush();
      System.err.flush();
      next = client.request("POST", path, body, headers);
    }
  }

  private static void initError(RuntimeClient client, String type, String message, Throwable cause) {
    byte[] body = ErrorJson.of(type, message, cause);
    System.err.println(new String(body, StandardCharsets.UTF_8));
    System.err.flush();
    try {
      client.request("POST", "/init/error", body, Map.of("Content-Type", "application/json", "Lambda-Runtime-Function-Error-Type", type));
    } catch (IOException ignored) {
      // the executor is gone
    }
    System.exit(1);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
