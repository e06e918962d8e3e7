require 'json'

def lambda_handler(event:, context:)
  puts "event received #{JSON.generate(event)}"
  { message: "Hello, #{event['name'] || 'world'}!", requestId: context.aws_request_id,
    remainingMs: context.get_remaining_time_in_millis }
end
