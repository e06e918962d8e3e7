package com.amazonaws.services.lambda.runtime;

/** The invocation's context, as aws-lambda-java-core declares it (so handlers built against it run unchanged). */
public interface Context {
  String getAwsRequestId();

  String getLogGroupName();

  String getLogStreamName();

  String getFunctionName();

  String getFunctionVersion();

  String getInvokedFunctionArn();

  CognitoIdentity getIdentity();

  ClientContext getClientContext();

  int getRemainingTimeInMillis();

  int getMemoryLimitInMB();

  LambdaLogger getLogger();
}
