//! Domain enums stored as text: they are read and written through sqlx as themselves, so
//! no service or handler parses a role string. An unknown value in the database (written
//! by hand) is a decode error, never a silently wrong permission.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, Type};

use crate::domain::Role;
use crate::domain::import::SpeakerRole;

macro_rules! stored_as_text {
    ($type:ty) => {
        impl Type<Sqlite> for $type {
            fn type_info() -> SqliteTypeInfo {
                <&str as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <&str as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $type {
            fn encode_by_ref(
                &self,
                buf: &mut SqliteArgumentsBuffer,
            ) -> Result<IsNull, BoxDynError> {
                <&'static str as Encode<'q, Sqlite>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $type {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Sqlite>>::decode(value)?;
                Ok(<$type>::parse(text)?)
            }
        }
    };
}

stored_as_text!(Role);
stored_as_text!(SpeakerRole);
