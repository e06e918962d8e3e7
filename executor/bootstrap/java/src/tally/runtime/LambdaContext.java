package tally.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;

final class LambdaContext implements Context {
  private final String requestId;
  private final String functionArn;
  private final long deadlineMs;

  LambdaContext(String requestId, String functionArn, long deadlineMs) {
    this.requestId = requestId;
    this.functionArn = functionArn;
    this.deadlineMs = deadlineMs;
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
  }

  @Override
  public String getLogStreamName() {
    return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
  }

  @Override
  public String getFunctionName() {
    return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
  }

  @Override
  public String getFunctionVersion() {
    return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
  }

  @Override
  public String getInvokedFunctionArn() {
    return functionArn;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.max(0, deadlineMs - System.currentTimeMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    String memory = System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    return memory == null ? 0 : Integer.parseInt(memory);
  }

  @Override
  public LambdaLogger getLogger() {
    return LambdaRuntime.getLogger();
  }
}
