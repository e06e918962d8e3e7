package tally.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The function's handler, "package.Class::method" or "package.Class" (then handleRequest), with the
 * signatures Lambda accepts: (InputStream, OutputStream[, Context]) writing its own bytes, or
 * ([input[, Context]]) with the input and the returned value turned from and into JSON.
 */
final class Invoker {
  /** Thrown for a handler that cannot be loaded; its type is the error type reported to /init/error. */
  static final class InitError extends Exception {
    final String type;

    InitError(String type, String message, Throwable cause) {
      super(message, cause);
      this.type = type;
    }
  }

  private final Object target;
  private final Method method;
  private final boolean stream;
  private final boolean withContext;
  private final Type inputType;
  private final Serializer serializer;

  private Invoker(Object target, Method method, boolean stream, boolean withContext, Type inputType, Serializer serializer) {
    this.target = target;
    this.method = method;
    this.stream = stream;
    this.withContext = withContext;
    this.inputType = inputType;
    this.serializer = serializer;
  }

  static Invoker load(String handler, Path taskRoot, Path runtimeDir) throws InitError {
    int sep = handler.indexOf("::");
    String className = sep < 0 ? handler : handler.substring(0, sep);
    String methodName = sep < 0 ? "handleRequest" : handler.substring(sep + 2);
    if (className.isEmpty() || methodName.isEmpty()) {
      throw new InitError("Runtime.MalformedHandlerName", "Bad handler " + handler + ": expected package.Class::method", null);
    }
    ClassLoader loader = functionLoader(taskRoot);
    Thread.currentThread().setContextClassLoader(loader);
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      throw new InitError("java.lang.ClassNotFoundException", "Class not found: " + className, e);
    } catch (ExceptionInInitializerError e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new InitError(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
    }
    Method method = Arrays.stream(type.getMethods())
        .filter(m -> m.getName().equals(methodName) && !m.isBridge() && !m.isSynthetic() && m.getParameterCount() <= 3)
        .max(Comparator.comparingInt(Method::getParameterCount))
        .orElseThrow(() -> new InitError("java.lang.NoSuchMethodException", "No public method named " + methodName + " in " + className, null));
    Class<?>[] params = method.getParameterTypes();
    boolean stream = params.length >= 2 && InputStream.class.isAssignableFrom(params[0]) && OutputStream.class.isAssignableFrom(params[1]);
    int contextAt = stream ? 2 : 1;
    boolean withContext = params.length > contextAt;
    if (withContext && !Context.class.isAssignableFrom(params[contextAt]) || !stream && params.length > 2) {
      throw new InitError("Runtime.HandlerNotFound", "Unsupported signature for " + handler + ": " + method, null);
    }
    Object target = null;
    if (!Modifier.isStatic(method.getModifiers())) {
      try {
        target = type.getDeclaredConstructor().newInstance();
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        throw new InitError(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
      } catch (ReflectiveOperationException e) {
        throw new InitError("Runtime.HandlerNotFound", className + " needs a public constructor without arguments", e);
      }
    }
    Type inputType = !stream && params.length >= 1 ? method.getGenericParameterTypes()[0] : null;
    boolean json = !stream && (inputType != null || method.getReturnType() != void.class);
    return new Invoker(target, method, stream, withContext, inputType, json ? serializer(runtimeDir) : null);
  }

  /** Classes at the zip's root and every jar in lib/, as Lambda lays out a Java deployment package. */
  private static ClassLoader functionLoader(Path taskRoot) throws InitError {
    List<URL> urls = new ArrayList<>();
    try {
      urls.add(taskRoot.toUri().toURL());
      Path lib = taskRoot.resolve("lib");
      if (Files.isDirectory(lib)) {
        try (var jars = Files.list(lib)) {
          for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) urls.add(jar.toUri().toURL());
        }
      }
    } catch (Exception e) {
      throw new InitError("Runtime.ImportModuleError", "Cannot read the function's code: " + e, e);
    }
    return new URLClassLoader(urls.toArray(new URL[0]), Invoker.class.getClassLoader());
  }

  /** Jackson, from the jars listed beside the runtime at build time, in a class loader of its own. */
  private static Serializer serializer(Path runtimeDir) throws InitError {
    try {
      List<URL> urls = new ArrayList<>();
      urls.add(runtimeDir.resolve("serialization").toUri().toURL());
      for (String jar : Files.readAllLines(runtimeDir.resolve("serialization.classpath"))) {
        if (!jar.isBlank()) urls.add(new File(jar.trim()).toURI().toURL());
      }
      ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), Invoker.class.getClassLoader());
      return (Serializer) Class.forName("tally.serialization.JacksonSerializer", true, loader).getDeclaredConstructor().newInstance();
    } catch (Exception e) {
      throw new InitError("Runtime.ImportModuleError", "Cannot load the JSON serializer: " + e, e);
    }
  }

  /** Runs the handler; throws what it threw. */
  byte[] invoke(byte[] event, Context context) throws Throwable {
    try {
      if (stream) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        InputStream input = new ByteArrayInputStream(event);
        if (withContext) method.invoke(target, input, output, context);
        else method.invoke(target, input, output);
        return output.toByteArray();
      }
      Object input = inputType == null ? null : serializer.read(event.length == 0 ? "null".getBytes(StandardCharsets.UTF_8) : event, inputType);
      Object result;
      if (inputType == null) result = method.invoke(target);
      else if (withContext) result = method.invoke(target, input, context);
      else result = method.invoke(target, input);
      if (method.getReturnType() == void.class) return "null".getBytes(StandardCharsets.UTF_8);
      return serializer.write(result);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
