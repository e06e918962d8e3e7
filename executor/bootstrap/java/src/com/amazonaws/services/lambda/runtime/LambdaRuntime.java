package com.amazonaws.services.lambda.runtime;

import java.nio.charset.StandardCharsets;

/** The logger outside a handler call (static initializers, constructors). */
public final class LambdaRuntime {
  private static final LambdaLogger LOGGER =
      new LambdaLogger() {
        @Override
        public void log(String message) {
          System.out.print(message);
          System.out.flush();
        }

        @Override
        public void log(byte[] message) {
          log(new String(message, StandardCharsets.UTF_8));
        }
      };

  private LambdaRuntime() {}

  public static LambdaLogger getLogger() {
    return LOGGER;
  }
}
