# A Python function (runtime "python", handler "app.handler").
import json
import platform


def handler(event, context):
    print("event received", json.dumps(event))
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {
        "message": "Hello, %s!" % name,
        "python": platform.python_version(),
        "requestId": context.aws_request_id,
        "remainingMs": context.get_remaining_time_in_millis(),
    }
