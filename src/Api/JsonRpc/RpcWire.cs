using System.Text.Encodings.Web;
using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Api.JsonRpc;

/// <summary>Writers for go-jsonrpc frames: responses with Go's sorted keys and a trailing newline, requests in struct order.</summary>
internal static class RpcWire
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Writes <c>{"error":…,"id":…,"jsonrpc":"2.0"}</c> or <c>{"id":…,"jsonrpc":"2.0","result":…}</c> and <c>\n</c>.</summary>
    public static void WriteResponse(PooledBufferWriter output, Utf8JsonWriter writer, RpcId id, in RpcCallResult result)
    {
        var start = output.Length;
        try
        {
            WriteResponseCore(writer, id, result.IsError, result.Code, result.Message, result.Data, result.Meta, result.Value, result.Method?.Shape.ResultType);
            writer.Flush();
        }
        catch (Exception ex) when (!result.IsError)
        {
            // The value could not be serialized: answer with the error instead of half a result.
            writer.Reset(output);
            output.Truncate(start);
            WriteResponseCore(writer, id, true, RpcErrorCodes.Application, "marshaling result: " + ex.Message, null, null, null, null);
            writer.Flush();
        }

        writer.Reset(output);
        output.WriteByte((byte)'\n');
    }

    public static void WriteError(PooledBufferWriter output, Utf8JsonWriter writer, RpcId id, int code, string message)
    {
        WriteResponseCore(writer, id, true, code, message, null, null, null, null);
        writer.Flush();
        writer.Reset(output);
        output.WriteByte((byte)'\n');
    }

    /// <summary>A successful response whose result is a number (a channel id).</summary>
    public static void WriteChannelResponse(PooledBufferWriter output, Utf8JsonWriter writer, RpcId id, ulong channelId)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("id"u8);
        id.WriteTo(writer);
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WriteNumber("result"u8, channelId);
        writer.WriteEndObject();
        writer.Flush();
        writer.Reset(output);
        output.WriteByte((byte)'\n');
    }

    private static void WriteResponseCore(Utf8JsonWriter writer, RpcId id, bool isError, int code, string? message, JsonElement? data, JsonElement? meta, object? value, Type? valueType)
    {
        writer.WriteStartObject();
        if (isError)
        {
            writer.WritePropertyName("error"u8);
            writer.WriteStartObject();
            writer.WriteNumber("code"u8, code);
            writer.WriteString("message"u8, message);
            if (meta is { } m)
            {
                writer.WritePropertyName("meta"u8);
                m.WriteTo(writer);
            }

            if (data is { } d)
            {
                writer.WritePropertyName("data"u8);
                d.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WritePropertyName("id"u8);
        id.WriteTo(writer);
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        if (!isError)
        {
            writer.WritePropertyName("result"u8);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(writer, value, valueType ?? value.GetType(), ApiJson.Options);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a request or notification: <c>{"jsonrpc":"2.0","id":…,"method":…,"params":[…]}</c> (id omitted when none).</summary>
    public static void WriteRequestStart(Utf8JsonWriter writer, RpcId id, string method)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        if (!id.IsNone)
        {
            writer.WritePropertyName("id"u8);
            id.WriteTo(writer);
        }

        writer.WriteString("method"u8, method);
        writer.WritePropertyName("params"u8);
        writer.WriteStartArray();
    }

    public static void WriteRequestEnd(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
