using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kiln.Api.Tests.Types;

/// <summary>Helpers to compare JSON as text: whitespace removed, key order and number text kept.</summary>
internal static class JsonText
{
    /// <summary>Re-writes <paramref name="json"/> compactly (order, numbers and string contents unchanged).</summary>
    public static string Compact(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Compact(doc.RootElement);
    }

    public static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
