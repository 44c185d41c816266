using Microsoft.Extensions.Logging;

namespace Kiln.Api.JsonRpc;

public sealed partial class RpcServer
{
    internal static partial class Log
    {
        [LoggerMessage(EventId = 1001, EventName = "RpcMissingPermission", Level = LogLevel.Warning, Message = "RPC method {Method} has no [Perm]; it requires admin")]
        public static partial void MissingPermission(ILogger logger, string method);

        [LoggerMessage(EventId = 1002, EventName = "RpcProtocolError", Level = LogLevel.Debug, Message = "RPC protocol error {Code}: {Message}")]
        public static partial void ProtocolError(ILogger logger, int code, string message);

        [LoggerMessage(EventId = 1003, EventName = "RpcMethodFailed", Level = LogLevel.Warning, Message = "error in RPC call to '{Method}'")]
        public static partial void MethodFailed(ILogger logger, string method, Exception exception);

        [LoggerMessage(EventId = 1004, EventName = "WebSocketEnded", Level = LogLevel.Debug, Message = "WebSocket connection ended")]
        public static partial void WebSocketEnded(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1005, EventName = "ReaderStreamEvent", Level = LogLevel.Debug, Message = "Reader stream {Id}: {What}")]
        public static partial void StreamEvent(ILogger logger, Guid id, string what);

        [LoggerMessage(EventId = 1006, EventName = "WebSocketDisconnected", Level = LogLevel.Warning, Message = "Disconnecting a WebSocket client: {Reason}")]
        public static partial void WebSocketDisconnected(ILogger logger, string reason);
    }
}
