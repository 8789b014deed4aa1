// The in-process path: generate the Java class, compile it in memory with javax.tools, cache the
// bytecode under a hash of the source, and load it as a Model, so `cnnc train` needs no build step.
package dev.cnnc.compiler.emit;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.diag.SourceFile;
import dev.cnnc.runtime.CnncException;
import dev.cnnc.runtime.cpu.CpuNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public final class JavaBackend {
  private final Path cacheDir;

  /** @param cacheDir where compiled classes are kept between runs, or null for no disk cache */
  public JavaBackend(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** The default cache: ~/.cache/cnnc/classes (or $XDG_CACHE_HOME/cnnc/classes). */
  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cnnc").resolve("classes");
  }

  /** Generates, compiles (or finds in the cache) and instantiates the network. */
  public CpuNetwork load(Pipeline.Compiled compiled, SourceFile spec, int maxBatch, int threads) {
    return load(JavaEmitter.emit(compiled, spec), maxBatch, threads);
  }

  /**
   * Compiles (or finds in the cache) and instantiates a generated network class. An
   * OutOfMemoryError while allocating its arrays is thrown as it is, for the caller to explain.
   */
  public CpuNetwork load(JavaEmitter.Output out, int maxBatch, int threads) {
    Class<? extends CpuNetwork> type = compile(out);
    try {
      return type.getConstructor(int.class, int.class).newInstance(maxBatch, threads);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof OutOfMemoryError oom) throw oom;
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate the generated class " + out.qualifiedName(), e);
    }
  }

  /** Compiles one generated source; every class it defines is loaded by a fresh class loader. */
  public Class<? extends CpuNetwork> compile(JavaEmitter.Output out) {
    Map<String, byte[]> classes = cached(out);
    if (classes == null) {
      classes = javac(out);
      store(out, classes);
    }
    ClassLoader loader = new BytesClassLoader(classes, CpuNetwork.class.getClassLoader());
    try {
      return Class.forName(out.qualifiedName(), true, loader).asSubclass(CpuNetwork.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("javac did not produce " + out.qualifiedName(), e);
    }
  }

  private static Map<String, byte[]> javac(JavaEmitter.Output out) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("this Java runtime has no compiler (javax.tools); run cnnc with a JDK, not a JRE");
    }
    StringWriter log = new StringWriter();
    StandardJavaFileManager std = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    MemoryFileManager files = new MemoryFileManager(std);
    List<String> options = List.of("-classpath", runtimeClassPath(), "-proc:none", "-nowarn", "-g:source,lines");
    JavaFileObject source = new SourceObject(out);
    Boolean ok = javac.getTask(log, files, null, options, null, List.of(source)).call();
    if (!Boolean.TRUE.equals(ok)) {
      String text = log.toString();
      if (text.contains("code too large") || text.contains("too many constants")) {
        throw new CnncException("network " + out.className() + " is too large for the Java backend: its generated class"
            + " goes past the JVM's limits (64 KB of code per method, 65,535 constants per class). Split it into fewer,"
            + " larger layers, or train it with --backend cuda.");
      }
      throw new IllegalStateException("the generated Java for " + out.className() + " did not compile; this is a cnnc bug:\n" + text);
    }
    return files.classes;
  }

  /** Where the runtime classes the generated code extends were loaded from. */
  private static String runtimeClassPath() {
    try {
      return Path.of(CpuNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException | NullPointerException e) {
      return System.getProperty("java.class.path");
    }
  }

  private Map<String, byte[]> cached(JavaEmitter.Output out) {
    if (cacheDir == null) return null;
    Path dir = cacheDir.resolve(hash(out.source()));
    if (!Files.isDirectory(dir)) return null;
    Map<String, byte[]> classes = new HashMap<>();
    try (var list = Files.list(dir)) {
      for (Path p : list.toList()) {
        String file = p.getFileName().toString();
        if (file.endsWith(".class")) classes.put(file.substring(0, file.length() - 6), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      return null;
    }
    return classes.containsKey(out.qualifiedName()) ? classes : null;
  }

  /** Best effort: a cache that cannot be written only costs a recompilation next time. */
  private void store(JavaEmitter.Output out, Map<String, byte[]> classes) {
    if (cacheDir == null) return;
    try {
      Path dir = cacheDir.resolve(hash(out.source()));
      Path tmp = Files.createDirectories(cacheDir).resolve(dir.getFileName() + ".tmp" + ProcessHandle.current().pid());
      Files.createDirectories(tmp);
      for (var e : classes.entrySet()) Files.write(tmp.resolve(e.getKey() + ".class"), e.getValue());
      Files.writeString(tmp.resolve(out.className() + ".java"), out.source());
      try {
        Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        deleteTree(tmp);
      }
    } catch (IOException ignored) {
      // no cache this time
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }

  static String hash(String source) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(source.getBytes(StandardCharsets.UTF_8));
      sha.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class SourceObject extends SimpleJavaFileObject {
    private final String code;

    SourceObject(JavaEmitter.Output out) {
      super(URI.create("string:///" + out.qualifiedName().replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
      this.code = out.source();
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }
  }

  private static final class MemoryFileManager extends ForwardingJavaFileManager<JavaFileManager> {
    final Map<String, byte[]> classes = new HashMap<>();

    MemoryFileManager(JavaFileManager inner) {
      super(inner);
    }

    @Override
    public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
        FileObject sibling) {
      return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
        @Override
        public OutputStream openOutputStream() {
          return new ByteArrayOutputStream() {
            @Override
            public void close() {
              classes.put(className, toByteArray());
            }
          };
        }
      };
    }
  }

  private static final class BytesClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    BytesClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
      super(parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) throw new ClassNotFoundException(name);
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
