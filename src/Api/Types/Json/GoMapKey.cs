using System.Globalization;
using System.Text.Json;
using Kiln.Proofs;

namespace Kiln.Api.Types.Json;

/// <summary>
/// How Go's encoding/json turns map keys into strings and back: strings and string types as they are,
/// integer types (and the enums standing for them) in decimal, <see cref="TaskType"/> as its id, UUIDs
/// (text marshalers) in canonical form. <see cref="Format"/> is null for key types Go could not encode.
/// </summary>
internal static class GoMapKey<TKey>
    where TKey : notnull
{
    public static Func<TKey, string>? Format { get; private set; }

    public static Func<string, TKey>? Parse { get; private set; }

    static GoMapKey()
    {
        var t = typeof(TKey);
        if (t == typeof(string))
        {
            Set(s => s, s => s);
        }
        else if (t == typeof(StorageId))
        {
            Set<StorageId>(i => i.ToString(), s => new StorageId(s));
        }
        else if (t == typeof(Guid))
        {
            Set<Guid>(g => g.ToString(), s => Guid.TryParse(s, out var g) ? g : throw Bad(s, "a UUID"));
        }
        else if (t == typeof(TaskType))
        {
            Set<TaskType>(TaskTypes.Id, TaskTypeJsonConverter.Parse);
        }
        else if (t == typeof(RegisteredSealProof))
        {
            Set<RegisteredSealProof>(GoEnumConverter<RegisteredSealProof>.FormatKey, GoEnumConverter<RegisteredSealProof>.ParseKey);
        }
        else if (t == typeof(RegisteredPoStProof))
        {
            Set<RegisteredPoStProof>(GoEnumConverter<RegisteredPoStProof>.FormatKey, GoEnumConverter<RegisteredPoStProof>.ParseKey);
        }
        else if (t == typeof(SectorFileType))
        {
            Set<SectorFileType>(GoEnumConverter<SectorFileType>.FormatKey, GoEnumConverter<SectorFileType>.ParseKey);
        }
        else if (t == typeof(ulong))
        {
            Set<ulong>(v => v.ToString(CultureInfo.InvariantCulture), s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(s, "an unsigned decimal integer"));
        }
        else if (t == typeof(long))
        {
            Set<long>(v => v.ToString(CultureInfo.InvariantCulture), s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(s, "a decimal integer"));
        }
        else if (t == typeof(int))
        {
            Set<int>(v => v.ToString(CultureInfo.InvariantCulture), s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(s, "a decimal integer"));
        }

        void Set<T>(Func<T, string> format, Func<string, T> parse)
        {
            Format = k => format((T)(object)k);
            Parse = s => (TKey)(object)parse(s)!;
        }
    }

    public static bool Supported => Format is not null;

    private static JsonException Bad(string key, string what) =>
        new($"map key '{key}' must be {what} ({typeof(TKey).Name})");
}
