# frozen_string_literal: true

# Tally's Ruby runtime: loads the handler and loops over the Lambda Runtime API.
# Standard library only, started with --disable-gems: it runs inside every function instance.
require 'json'
require 'socket'
require 'time'

# _X_AMZN_TRACE_ID changes with every invocation. ENV[...] = ... would call setenv(3), and glibc
# keeps every string setenv was ever given (another thread may still hold the old one): about 145
# bytes a distinct trace id, for the instance's whole life, so a warm instance would grow by 145 MB
# per million invocations until the kernel killed it for memory. ENV keeps this one variable in
# Ruby instead, for the ways a function reads it (ENV[], fetch, key?, to_h, each, keys); a child
# process started with the default environment does not see it (pass ENV.to_h for that).
module TraceEnv
  NAME = '_X_AMZN_TRACE_ID'

  class << self
    attr_accessor :value
  end

  def [](name)
    name == NAME ? TraceEnv.value : super
  end

  def fetch(name, *default)
    return super unless name == NAME
    return TraceEnv.value unless TraceEnv.value.nil?
    return yield(name) if block_given?
    return default.first unless default.empty?

    raise KeyError.new("key not found: #{name.inspect}", receiver: self, key: name)
  end

  def []=(name, value)
    return super unless name == NAME

    TraceEnv.value = value.nil? ? nil : String(value).dup.freeze
  end

  def store(name, value)
    self[name] = value
  end

  def delete(name)
    return super unless name == NAME

    old = TraceEnv.value
    TraceEnv.value = nil
    old.nil? && block_given? ? yield(name) : old
  end

  def key?(name)
    name == NAME ? !TraceEnv.value.nil? : super
  end

  def has_key?(name) = key?(name)
  def include?(name) = key?(name)
  def member?(name) = key?(name)

  def to_h(&block)
    hash = super()
    hash[NAME] = TraceEnv.value unless TraceEnv.value.nil?
    block ? hash.to_h(&block) : hash
  end

  def to_hash = to_h

  def keys
    TraceEnv.value.nil? ? super : super + [NAME]
  end

  def each(&block)
    return enum_for(:each) unless block

    super(&block)
    block.call(NAME, TraceEnv.value) unless TraceEnv.value.nil?
    self
  end

  def each_pair(&block) = each(&block)
end
TraceEnv.value = ENV.delete(TraceEnv::NAME)
ENV.singleton_class.prepend(TraceEnv)

# One keep-alive HTTP/1.1 connection to the Runtime API, reopened if it drops. Inside Tally's
# sandbox the same Runtime API is also a unix socket: one hop less per invocation than the TCP
# forwarder that AWS_LAMBDA_RUNTIME_API names (which any other runtime uses).
class RuntimeClient
  SOCKET = '/run/tally/runtime-api.sock'
  PREFIX = '/2018-06-01/runtime'

  def initialize(address)
    @host, port = address.split(':', 2)
    @port = Integer(port || 80)
    @sock = nil
  end

  def request(method, path, body = nil, headers = {})
    2.times do |attempt|
      begin
        @sock ||= File.socket?(SOCKET) ? UNIXSocket.new(SOCKET) : TCPSocket.new(@host, @port)
        send_request(method, PREFIX + path, body, headers)
        return read_response
      rescue SystemCallError, IOError, EOFError
        @sock&.close rescue nil
        @sock = nil
        raise if attempt == 1
      end
    end
  end

  private

  def send_request(method, path, body, headers)
    head = +"#{method} #{path} HTTP/1.1\r\nHost: runtime\r\n"
    headers.each { |k, v| head << "#{k}: #{v}\r\n" }
    head << "Content-Length: #{body.bytesize}\r\n" if body
    head << "\r\n"
    @sock.write(body ? head + body : head)
  end

  def read_response
    status = @sock.gets("\r\n") or raise EOFError
    code = status.split(' ', 3)[1].to_i
    headers = {}
    while (line = @sock.gets("\r\n")) && line != "\r\n"
      name, value = line.split(':', 2)
      headers[name.strip.downcase] = value.strip
    end
    body = if headers['transfer-encoding']&.include?('chunked')
             read_chunked
           else
             length = headers['content-length'].to_i
             length.positive? ? @sock.read(length) : +''
           end
    [code, headers, body]
  end

  def read_chunked
    body = +''
    loop do
      size = @sock.gets("\r\n").to_i(16)
      break @sock.gets("\r\n") && body if size.zero?
      body << @sock.read(size)
      @sock.read(2)
    end
  end
end

# Lambda's context object for Ruby.
class LambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
              :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms

  def initialize(request_id, headers)
    @aws_request_id = request_id
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    @identity = nil
    @client_context = headers['lambda-runtime-client-context']
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
  end

  def get_remaining_time_in_millis
    [@deadline_ms - (Time.now.to_f * 1000).to_i, 0].max
  end
end

# Prefixes every line a function prints with the time, the request id and a level, as Lambda's
# managed runtimes do, so a log line can be traced to its invocation.
class RequestLog
  attr_accessor :request_id

  def initialize(io, level)
    @io = io
    @level = level
    @partial = +''
    @request_id = nil
  end

  def write(*parts)
    text = parts.join
    @partial << text
    while (newline = @partial.index("\n"))
      line = @partial.slice!(0..newline)
      @io.write("#{Time.now.utc.iso8601(3)}\t#{@request_id || 'undefined'}\t#{@level}\t#{line}")
    end
    text.bytesize
  end

  def flush
    @io.write("#{Time.now.utc.iso8601(3)}\t#{@request_id || 'undefined'}\t#{@level}\t#{@partial.slice!(0..)}\n") unless @partial.empty?
    @io.flush
    self
  end

  def <<(text)
    write(text)
    self
  end

  def print(*args) = write(*args.map(&:to_s))

  def puts(*args)
    return write("\n") if args.empty?

    args.flatten.each { |a| s = a.to_s; write(s.end_with?("\n") ? s : "#{s}\n") }
    nil
  end

  def printf(*args) = write(format(*args))
  def sync = true
  def sync=(_value); end
  def fileno = @io.fileno
  def tty? = false
  def isatty = false
end

# Lambda's error shape for Ruby: the type is wrapped as Function<Class> (handler) or Init<Class>.
def error_payload(err, wrap)
  {
    errorMessage: err.message,
    errorType: "#{wrap}<#{err.class}>",
    stackTrace: err.backtrace || []
  }
end

def fail_init(client, type, message, stack = [])
  payload = { errorMessage: message, errorType: type, stackTrace: stack }
  warn "#{type}: #{message}"
  begin
    client.request('POST', '/init/error', JSON.generate(payload),
                   'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => type)
  ensure
    exit!(1)
  end
end

# "file.method" calls a top-level method; "file.Module::Class.method" a class method.
def load_handler(client, task_root, handler)
  file, _, target = handler.partition('.')
  fail_init(client, 'Runtime.MalformedHandlerName', "Bad handler #{handler}: expected file.method") if file.empty? || target.empty?
  if Dir.exist?(File.join(task_root, 'vendor', 'bundle')) || ENV['GEM_PATH']
    # Gems shipped with the function (bundle install --path vendor/bundle), found as Lambda finds them.
    require 'rbconfig'
    abi = RbConfig::CONFIG['ruby_version']
    ENV['GEM_PATH'] ||= "#{task_root}/vendor/bundle/ruby/#{abi}:/opt/ruby/gems/#{abi}"
    require 'rubygems'
  end
  $LOAD_PATH.unshift(task_root)
  begin
    require File.join(task_root, file)
  rescue ScriptError => e
    type = e.is_a?(SyntaxError) ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError'
    fail_init(client, "Init<#{type}>", "#{e.class}: #{e.message}", e.backtrace || [])
  rescue StandardError => e
    payload = error_payload(e, 'Init')
    fail_init(client, payload[:errorType], payload[:errorMessage], payload[:stackTrace])
  end
  owner_path, dot, method_name = target.rpartition('.')
  owner = dot.empty? ? TOPLEVEL_BINDING.receiver : nil
  method_name = target if dot.empty?
  begin
    owner ||= owner_path.split('::').inject(Object) { |scope, name| scope.const_get(name) }
  rescue NameError => e
    fail_init(client, 'Runtime.HandlerNotFound', "#{handler}: #{e.message}")
  end
  unless owner.respond_to?(method_name, true)
    fail_init(client, 'Runtime.HandlerNotFound', "Handler '#{method_name}' missing on #{dot.empty? ? "file #{file}" : owner_path}")
  end
  owner.method(method_name)
end

def main
  client = RuntimeClient.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001'))
  out = RequestLog.new($stdout, 'INFO')
  err = RequestLog.new($stderr, 'WARN')
  $stdout = out
  $stderr = err
  handler = load_handler(client, ENV.fetch('LAMBDA_TASK_ROOT', Dir.pwd), ENV.fetch('_HANDLER', ''))
  answer = nil
  loop do
    begin
      answer = client.request('GET', '/invocation/next') if answer.nil? || answer[0] != 200
    rescue SystemCallError, IOError
      exit!(1) # the executor is gone
    end
    status, headers, body = answer
    answer = nil
    next unless status == 200

    request_id = headers['lambda-runtime-aws-request-id']
    out.request_id = err.request_id = request_id
    TraceEnv.value = headers['lambda-runtime-trace-id']
    path = nil
    payload = nil
    error_type = nil
    begin
      event = body.empty? ? {} : JSON.parse(body)
      result = handler.call(event: event, context: LambdaContext.new(request_id, headers))
      payload = JSON.generate(result)
      path = "/invocation/#{request_id}/response"
    rescue StandardError, ScriptError, SystemStackError, NoMemoryError => e
      error = error_payload(e, 'Function')
      if e.is_a?(JSON::GeneratorError) && path.nil? && !result.nil?
        error[:errorType] = 'Runtime.MarshalError'
      end
      error_type = error[:errorType]
      err.puts "Error raised from handler method\n#{JSON.generate(error)}"
      payload = JSON.generate(error)
      path = "/invocation/#{request_id}/error"
    end
    out.flush
    err.flush
    out.request_id = err.request_id = nil
    # Tally's Runtime API then answers with the next event: one round trip per invocation.
    headers = { 'Content-Type' => 'application/json', 'X-Tally-Then-Next' => '1' }
    headers['Lambda-Runtime-Function-Error-Type'] = error_type if error_type
    begin
      answer = client.request('POST', path, payload, headers)
    rescue SystemCallError, IOError
      exit!(1) # the executor is gone
    end
  end
end

main
