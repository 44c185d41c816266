using System.Text.Json;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// A JSON-RPC error object (<c>{"code","message","meta","data"}</c>). A method throws it to answer with a
/// chosen code; a client throws it for every error response. Any other exception a method throws is
/// answered as code 1 with the exception's message, the way go-jsonrpc answers a returned Go error.
/// </summary>
public class RpcException : Exception
{
    public RpcException(int code, string message, JsonElement? data = null, JsonElement? meta = null)
        : base(message)
    {
        Code = code;
        ErrorData = data;
        Meta = meta;
    }

    public RpcException(int code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The <c>code</c> member: 1 for application errors, negative for protocol errors.</summary>
    public int Code { get; }

    /// <summary>The <c>data</c> member, if any (named so as not to hide <see cref="Exception.Data"/>).</summary>
    public JsonElement? ErrorData { get; }

    /// <summary>The <c>meta</c> member (a Go error's own JSON), if any.</summary>
    public JsonElement? Meta { get; }

    /// <summary>True for the client-side code -1111111: the connection dropped, the call may be retried.</summary>
    public bool IsConnectionError => Code == RpcErrorCodes.ConnectionClosed;
}
