package tally.runtime;

import java.lang.reflect.Type;

/**
 * JSON in and out of POJO handlers. Implemented with Jackson in its own class loader
 * (tally.serialization), so the function's own copy of Jackson, if it ships one, never meets ours.
 */
public interface Serializer {
  Object read(byte[] json, Type type) throws Exception;

  byte[] write(Object value) throws Exception;
}
