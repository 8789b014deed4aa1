// cnnc:generate — writes each spec's network class (and a trainer main class) as Java sources and
// adds them to the compile roots; specs whose text and settings did not change are left alone.
package dev.cnnc.maven;

import dev.cnnc.compiler.Pipeline;
import dev.cnnc.compiler.emit.JavaEmitter;
import dev.cnnc.compiler.emit.TrainerEmitter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.apache.maven.model.Dependency;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Generates the Java sources of every spec: the network class, which extends
 * {@code dev.cnnc.runtime.cpu.CpuNetwork} (so the project needs {@code dev.cnnc:cnnc-runtime}),
 * and, unless {@code trainers} is false, a {@code <Network>Trainer} class whose {@code main}
 * trains it on CIFAR-10 with the spec's train section.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractCnncMojo {
  /** Where the Java sources go; added to the project's compile source roots. */
  @Parameter(property = "cnnc.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/cnnc")
  File outputDirectory;

  /** The Java package of the generated classes. */
  @Parameter(property = "cnnc.packageName", defaultValue = JavaEmitter.PACKAGE)
  String packageName;

  /** Also generate a {@code <Network>Trainer} main class per spec. */
  @Parameter(property = "cnnc.trainers", defaultValue = "true")
  boolean trainers;

  /** What the last run generated from which input, for incremental builds. */
  @Parameter(defaultValue = "${project.build.directory}/cnnc/generate.state", readonly = true)
  File stateFile;

  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  String pluginVersion;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("cnnc: generate skipped");
      return;
    }
    if (packageName == null || !SourceVersion.isName(packageName)) {
      throw new MojoExecutionException("packageName `" + packageName + "` is not a Java package name");
    }
    List<Path> specs = specs();
    Path outDir = outputDirectory.toPath();
    if (specs.isEmpty() && !Files.isDirectory(outDir)) {
      getLog().info("cnnc: no spec files in " + displayName(sourceDirectory.toPath()) + "; nothing to generate");
      return;
    }
    if (!specs.isEmpty()) warnWithoutRuntime();
    GenerationState previous = GenerationState.read(stateFile.toPath());
    GenerationState next = new GenerationState();
    String settings = String.join("|", packageName, Boolean.toString(trainers), Boolean.toString(strict),
        generatorId());
    Map<String, String> owners = new HashMap<>();
    List<Checked> failed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int generated = 0;
    for (Path spec : specs) {
      String text = read(spec);
      // The display name is quoted in the generated files' header, so it is part of their input.
      String fingerprint = GenerationState.fingerprint(text, settings + "|" + displayName(spec));
      String rel = SpecFiles.relative(sourceDirectory.toPath(), spec);
      GenerationState.Entry last = previous.get(rel);
      if (last != null && last.fingerprint().equals(fingerprint)
          && last.outputs().stream().allMatch(o -> Files.isRegularFile(outDir.resolve(o)))) {
        claim(owners, last.outputs(), rel, problems);
        next.put(rel, last);
        getLog().debug("cnnc: " + rel + " is up to date");
        continue;
      }
      Checked c = check(spec, text);
      if (c.failed()) {
        failed.add(c);
        continue;
      }
      List<JavaEmitter.Output> sources = new ArrayList<>();
      sources.add(emitNetwork(c));
      if (trainers) {
        try {
          sources.add(TrainerEmitter.emit(c.result().graph().orElseThrow(), c.source(), packageName));
        } catch (IllegalArgumentException e) {
          problems.add(c.source().name() + ": the train section cannot be used: " + e.getMessage());
          continue;
        }
      }
      List<String> outputs = new ArrayList<>();
      for (JavaEmitter.Output o : sources) {
        String path = o.qualifiedName().replace('.', '/') + ".java";
        outputs.add(path);
        write(outDir.resolve(path), o.source());
      }
      claim(owners, outputs, rel, problems);
      next.put(rel, new GenerationState.Entry(fingerprint, outputs));
      generated++;
    }
    removeStale(previous, next, outDir);
    try {
      next.write(stateFile.toPath());
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write " + stateFile + ": " + e.getMessage(), e);
    }
    project.addCompileSourceRoot(outDir.toString());
    if (!failed.isEmpty() || !problems.isEmpty()) {
      List<String> parts = new ArrayList<>();
      if (!failed.isEmpty()) parts.add(summary(failed));
      parts.addAll(problems);
      throw new MojoFailureException("cnnc generate: " + String.join("\n  ", parts));
    }
    getLog().info("cnnc: generated " + generated + " of " + specs.size() + (specs.size() == 1 ? " spec" : " specs")
        + " into " + displayName(outDir) + (generated < specs.size() ? " (the others are up to date)" : ""));
  }

  private JavaEmitter.Output emitNetwork(Checked c) throws MojoExecutionException {
    try {
      return JavaEmitter.emit(Pipeline.run(c.result().graph().orElseThrow()), c.source(), packageName);
    } catch (RuntimeException e) {
      throw new MojoExecutionException("cnnc could not generate Java for " + c.source().name()
          + "; this is a cnnc bug, please report it with the spec: " + e, e);
    }
  }

  /** Two specs must not write the same class (two networks of one name, say). */
  private static void claim(Map<String, String> owners, List<String> outputs, String spec, List<String> problems) {
    for (String o : outputs) {
      String other = owners.putIfAbsent(o, spec);
      if (other != null && !other.equals(spec)) {
        problems.add(spec + " and " + other + " both generate " + o
            + "; rename one network, or generate them in separate executions with different packageName");
      }
    }
  }

  /** Writes only when the text differs, so javac's own up-to-date check sees unchanged files as unchanged. */
  private static void write(Path file, String text) throws MojoExecutionException {
    try {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) return;
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Deletes what earlier runs generated and this one did not: a removed spec, a renamed network. */
  private void removeStale(GenerationState previous, GenerationState next, Path outDir) throws MojoExecutionException {
    Set<String> keep = new HashSet<>();
    next.entries().values().forEach(e -> keep.addAll(e.outputs()));
    for (GenerationState.Entry e : previous.entries().values()) {
      for (String o : e.outputs()) {
        if (keep.contains(o)) continue;
        Path file = outDir.resolve(o).normalize();
        if (!file.startsWith(outDir.normalize())) continue;
        try {
          if (Files.deleteIfExists(file)) getLog().debug("cnnc: removed stale " + o);
        } catch (IOException x) {
          throw new MojoExecutionException("cannot remove the stale generated file " + file + ": " + x.getMessage(), x);
        }
      }
    }
  }

  /** The classes need the runtime at compile time; say so before javac fails with a missing symbol. */
  private void warnWithoutRuntime() {
    List<Dependency> deps = project.getDependencies();
    boolean declared = deps != null && deps.stream()
        .anyMatch(d -> "dev.cnnc".equals(d.getGroupId()) && "cnnc-runtime".equals(d.getArtifactId()));
    if (!declared) {
      getLog().warn("cnnc: the generated classes extend dev.cnnc.runtime.cpu.CpuNetwork; add the dependency"
          + " dev.cnnc:cnnc-runtime:" + (pluginVersion == null ? "<version of this plugin>" : pluginVersion)
          + " to this project");
    }
  }

  /**
   * Identifies the code generator, so a new cnnc regenerates everything: the plugin's version and,
   * for snapshots, the size and time of the compiler build it runs.
   */
  private String generatorId() {
    String id = pluginVersion == null ? "unknown" : pluginVersion;
    try {
      Path code = Path.of(JavaEmitter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(code)) id += ":" + Files.size(code) + ":" + Files.getLastModifiedTime(code).toMillis();
    } catch (Exception e) {
      // no code location (an unusual class loader): the version alone will do
    }
    return id;
  }
}
