using System.Globalization;
using System.Text.Json;

namespace Kiln.Api.JsonRpc;

/// <summary>
/// A request id as go-jsonrpc keeps it: a string, a number (every number is a float64, so 1 and 1.0
/// are the same id) or nothing. Absent and null ids both mark a notification.
/// </summary>
public readonly struct RpcId : IEquatable<RpcId>
{
    private readonly string? _text;
    private readonly double _number;
    private readonly byte _kind; // 0 none, 1 string, 2 number

    private RpcId(string? text, double number, byte kind)
    {
        _text = text;
        _number = number;
        _kind = kind;
    }

    public static RpcId None => default;

    public static RpcId FromNumber(double value) => new(null, value, 2);

    public static RpcId FromString(string value) => new(value, 0, 1);

    /// <summary>True when the request has no id (absent or null): a notification.</summary>
    public bool IsNone => _kind == 0;

    public bool IsString => _kind == 1;

    public bool IsNumber => _kind == 2;

    public string? String => _text;

    public double Number => _number;

    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (_kind)
        {
            case 1:
                writer.WriteStringValue(_text);
                break;
            case 2:
                WriteNumber(writer, _number);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    internal static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            writer.WriteNumberValue((long)value);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    /// <summary>Reads an id at the reader's current token; false with Go's error text for arrays, objects and booleans.</summary>
    internal static bool TryRead(ref Utf8JsonReader reader, out RpcId id, out string? error)
    {
        error = null;
        id = default;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                id = FromString(reader.GetString()!);
                return true;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var d) || double.IsInfinity(d))
                {
                    throw new JsonException("cannot unmarshal number into float64");
                }

                id = FromNumber(d);
                return true;
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.True:
            case JsonTokenType.False:
                error = "invalid id type: bool";
                return true;
            case JsonTokenType.StartArray:
                reader.Skip();
                error = "invalid id type: []interface {}";
                return true;
            default:
                reader.Skip();
                error = "invalid id type: map[string]interface {}";
                return true;
        }
    }

    public bool Equals(RpcId other) => _kind == other._kind && _kind switch
    {
        1 => string.Equals(_text, other._text, StringComparison.Ordinal),
        2 => _number.Equals(other._number),
        _ => true,
    };

    public override bool Equals(object? obj) => obj is RpcId other && Equals(other);

    public override int GetHashCode() => _kind switch
    {
        1 => StringComparer.Ordinal.GetHashCode(_text!),
        2 => _number.GetHashCode(),
        _ => 0,
    };

    public override string ToString() => _kind switch
    {
        1 => _text!,
        2 => _number.ToString(CultureInfo.InvariantCulture),
        _ => "null",
    };

    public static bool operator ==(RpcId left, RpcId right) => left.Equals(right);

    public static bool operator !=(RpcId left, RpcId right) => !left.Equals(right);
}
