using System.Text;
using System.Text.Json;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// One JSON-RPC object as go-jsonrpc decodes it (request, notification or, over WebSocket, a response).
/// Field names match case-insensitively like Go's encoding/json; raw members are slices of the frame.
/// </summary>
internal struct RpcFrame
{
    public RpcId Id;

    /// <summary>Go's "invalid id type: …" when the id was an array, object or boolean.</summary>
    public string? IdError;

    public string? Method;

    /// <summary>Why the method name could not be read (a lone UTF-16 surrogate or invalid UTF-8); the call is answered −32700.</summary>
    public string? MethodError;

    /// <summary>Raw <c>params</c> (empty when absent).</summary>
    public ReadOnlyMemory<byte> Params;

    /// <summary>Raw <c>result</c> (responses only; empty when absent).</summary>
    public ReadOnlyMemory<byte> Result;

    /// <summary>Raw <c>error</c> (responses only; empty when absent or null).</summary>
    public ReadOnlyMemory<byte> Error;

    /// <summary>Parses the first JSON value of <paramref name="json"/> (trailing bytes are ignored, as Go's decoder does).</summary>
    /// <exception cref="JsonException">Malformed JSON or a member of the wrong type.</exception>
    public static RpcFrame Parse(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 512 });
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of JSON input");
        }

        return Read(ref reader, json);
    }

    /// <summary>Reads one frame at the reader's current token (an object or null).</summary>
    /// <exception cref="JsonException">
    /// Malformed JSON, a member of the wrong type, or a string that is not valid UTF-8 or holds a lone UTF-16
    /// surrogate (which .NET refuses to turn into a string): all answered −32700.
    /// </exception>
    public static RpcFrame Read(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        try
        {
            return ReadObject(ref reader, json);
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException("invalid string in request: " + ex.Message, ex);
        }
    }

    private static RpcFrame ReadObject(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        var frame = default(RpcFrame);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return frame;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("cannot unmarshal " + JsonKind(reader.TokenType) + " into Go value of type jsonrpc.request");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = NameOf(ref reader);
            reader.Read();
            switch (name)
            {
                case Member.Id:
                    RpcId.TryRead(ref reader, out frame.Id, out frame.IdError);
                    break;
                case Member.Method:
                    try
                    {
                        frame.Method = ReadString(ref reader, "method");
                    }
                    catch (InvalidOperationException ex)
                    {
                        frame.MethodError = "invalid method name: " + ex.Message;
                    }

                    break;
                case Member.JsonRpc:
                    ReadString(ref reader, "jsonrpc");
                    break;
                case Member.Params:
                    frame.Params = Raw(ref reader, json);
                    break;
                case Member.Result:
                    frame.Result = Raw(ref reader, json);
                    break;
                case Member.Error:
                    frame.Error = reader.TokenType == JsonTokenType.Null ? default : Raw(ref reader, json);
                    break;
                case Member.Meta:
                    SkipMeta(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("unexpected end of JSON input");
        }

        return frame;
    }

    internal static string JsonKind(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "bool",
        _ => "null",
    };

    private static ReadOnlyMemory<byte> Raw(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (!reader.TrySkip())
            {
                throw new JsonException("unexpected end of JSON input");
            }
        }

        return json[start..(int)reader.BytesConsumed];
    }

    private static string? ReadString(ref Utf8JsonReader reader, string member)
    {
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException("cannot unmarshal " + JsonKind(reader.TokenType) + " into Go struct field request." + member + " of type string"),
        };
    }

    private static void SkipMeta(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("cannot unmarshal " + JsonKind(reader.TokenType) + " into Go struct field request.meta of type map[string]string");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            reader.Read();
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                throw new JsonException("cannot unmarshal " + JsonKind(reader.TokenType) + " into Go struct field request.meta of type string");
            }
        }
    }

    private enum Member
    {
        Other,
        Id,
        Method,
        JsonRpc,
        Params,
        Result,
        Error,
        Meta,
    }

    private static Member NameOf(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> span;
        byte[]? unescaped = null;
        if (reader.ValueIsEscaped)
        {
            unescaped = Encoding.UTF8.GetBytes(reader.GetString()!);
            span = unescaped;
        }
        else
        {
            span = reader.ValueSpan;
        }

        return span.Length switch
        {
            2 when System.Text.Ascii.EqualsIgnoreCase(span, "id"u8) => Member.Id,
            4 when System.Text.Ascii.EqualsIgnoreCase(span, "meta"u8) => Member.Meta,
            5 when System.Text.Ascii.EqualsIgnoreCase(span, "error"u8) => Member.Error,
            6 when System.Text.Ascii.EqualsIgnoreCase(span, "method"u8) => Member.Method,
            6 when System.Text.Ascii.EqualsIgnoreCase(span, "params"u8) => Member.Params,
            6 when System.Text.Ascii.EqualsIgnoreCase(span, "result"u8) => Member.Result,
            7 when System.Text.Ascii.EqualsIgnoreCase(span, "jsonrpc"u8) => Member.JsonRpc,
            _ => Member.Other,
        };
    }
}
