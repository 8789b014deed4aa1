// The failed build must show cnnc's diagnostic as `cnnc check` prints it, and leave a SARIF report
// that points CI at the offending line.
def log = new File(basedir, 'build.log').text
def expect = { String text -> assert log.contains(text) : "build.log lacks:\n${text}" }

expect('[ERROR] src/main/cnn/simple_cnn_bug.cnn:9:8: error: `fc1` expects 8192 input features, but its input has 2048\n')
expect(' 9 |   fc1: fc(8192, 512) -> relu')
expect('\n   |        ^^^^^^^^^^^^^\n')
expect('  help: flattening 32')
expect('  help: write `fc(2048, 512)`, or `fc(512)` to infer the input size\n')
expect('cnnc check: 2 spec files: 1 error')
expect('BUILD FAILURE')
assert !log.contains('simple_cnn.cnn:') : 'the correct spec must not be reported'
assert !log.contains('Exception') || !log.contains('\tat dev.cnnc') : 'no stack trace from cnnc'

def sarif = new File(basedir, 'target/cnnc/cnnc.sarif').text
assert sarif.contains('"uri": "src/main/cnn/simple_cnn_bug.cnn"')
assert sarif.contains('"startLine": 9')
assert sarif.contains('"level": "error"')
true
