package tally.serialization;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.Type;
import tally.runtime.Serializer;

/** Lambda's POJO rules: unknown properties ignored, property names matched without regard to case. */
public final class JacksonSerializer implements Serializer {
  private final ObjectMapper mapper =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  @Override
  public Object read(byte[] json, Type type) throws Exception {
    return mapper.readValue(json, mapper.getTypeFactory().constructType(type));
  }

  @Override
  public byte[] write(Object value) throws Exception {
    return mapper.writeValueAsBytes(value);
  }
}
