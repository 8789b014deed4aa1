// Checks made by the repository's own build, which builds this project with maven-invoker-plugin
// (see maven-plugin/pom.xml) after installing the plugin; nothing a user of the example needs.
def log = new File(basedir, 'build.log').text

// The version a user gets by hand must be the one this repository builds.
assert new File(basedir, 'pom.xml').text.contains("<cnnc.version>${cnncVersion}</cnnc.version>") :
    "examples/maven-project/pom.xml must set <cnnc.version>${cnncVersion}</cnnc.version>"

assert log.contains('cnnc: checked 2 spec files: no problems')
assert log.contains('cnnc: generated 2 of 2 specs into target/generated-sources/cnnc')
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0')
['SimpleCNN', 'SimpleCNNTrainer', 'LeNet5', 'LeNet5Trainer'].each {
  assert new File(basedir, "target/generated-sources/cnnc/example/nets/${it}.java").isFile()
  assert new File(basedir, "target/classes/example/nets/${it}.class").isFile()
}
assert new File(basedir, 'target/cnnc/cnnc.sarif').text.contains('"results": []')
true
