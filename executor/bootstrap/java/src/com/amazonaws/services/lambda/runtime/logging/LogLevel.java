package com.amazonaws.services.lambda.runtime.logging;

public enum LogLevel {
  UNDEFINED,
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  FATAL
}
