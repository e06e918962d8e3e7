package com.amazonaws.services.lambda.runtime;

/** A handler whose input and output are turned from and into JSON by the runtime. */
public interface RequestHandler<I, O> {
  O handleRequest(I input, Context context);
}
