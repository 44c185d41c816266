using System.Text.Json;

namespace Kiln.Api.JsonRpc;

/// <summary>What one executed call answers: a result value, or an error object and the HTTP status it maps to.</summary>
internal readonly struct RpcCallResult
{
    private RpcCallResult(RpcServerMethod? method, object? value, bool isError, int code, string? message, JsonElement? data, JsonElement? meta, int httpStatus)
    {
        Method = method;
        Value = value;
        IsError = isError;
        Code = code;
        Message = message;
        Data = data;
        Meta = meta;
        HttpStatus = httpStatus;
    }

    public RpcServerMethod? Method { get; }

    public object? Value { get; }

    public bool IsError { get; }

    public int Code { get; }

    public string? Message { get; }

    public JsonElement? Data { get; }

    public JsonElement? Meta { get; }

    /// <summary>200 for results and application errors, 400 for -32600, 500 for other protocol errors.</summary>
    public int HttpStatus { get; }

    /// <summary>Protocol errors (-327xx, code 0) are written even for notifications over HTTP, as go-jsonrpc's <c>rpcError</c> does.</summary>
    public bool IsProtocolError => IsError && HttpStatus != 200;

    public static RpcCallResult Success(RpcServerMethod method, object? value) => new(method, value, false, 0, null, null, null, 200);

    public static RpcCallResult Application(int code, string message, JsonElement? data = null, JsonElement? meta = null) =>
        new(null, null, true, code, message, data, meta, 200);

    public static RpcCallResult Protocol(int code, string message) =>
        new(null, null, true, code, message, null, null, code == RpcErrorCodes.InvalidRequest ? 400 : 500);
}
