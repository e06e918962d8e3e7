package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    context.getLogger().log("event received " + event + "\n");
    return Map.of("message", "Hello, " + event.getOrDefault("name", "world") + "!", "requestId", context.getAwsRequestId());
  }
}
